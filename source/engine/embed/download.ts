/**
 * Fetches exactly the files a dtype needs from the hub (or its HF_ENDPOINT mirror) into the cache
 * layout transformers.js reads (`<cacheDir>/<repository>/<file>`), so the load that follows never
 * touches the network: config and tokenizer files, the dtype's graph, and its `<graph>_data` when
 * the hub has one. Files already whole are not asked for; every size is checked.
 */
import {existsSync, mkdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {DiskFullError, ModelLoadError} from '../errors.js';
import {diskFullFrom, volumeOf} from '../migration/disk-full.js';
import {formatBytes, freeDiskBytes} from '../util/disk.js';
import {RateMeter} from '../util/rate.js';
import {transferFile, partFileOf, sizeOnDisk, type FileTransfer} from './download-file.js';
import {hubFileUrl, probeHubFile} from './hub-files.js';
import {externalDataFileFor, modelFileForDtype} from './model-files.js';
import {describeInventoryProblems, inventoryComplete, inventoryModelDirectory} from './model-inventory.js';
import type {ModelSource} from './model-source.js';

export type HubSource = ModelSource & {kind: 'hub'};

/** Where a download stands; `bytes` never decreases and ends at `totalBytes`. */
export type DownloadProgress = {
	repository: string;
	/** The file being fetched (repository path), or the last one once all are done. */
	file: string;
	/** 1-based position of `file` among `files`. */
	fileIndex: number;
	files: number;
	fileBytes: number;
	fileTotal: number | undefined;
	bytes: number;
	totalBytes: number;
	/** Bytes per second over the last seconds; undefined at first. */
	bytesPerSecond: number | undefined;
	done: boolean;
};

export type DownloadOptions = {
	fetcher?: typeof fetch;
	onProgress?: (progress: DownloadProgress) => void;
	/** Retries of a file after failures that made no progress (default 5). */
	retries?: number;
	backoffMs?: number;
	sleep?: (ms: number) => Promise<void>;
	signal?: AbortSignal;
	now?: () => number;
	/** Smallest interval between two progress callbacks while bytes flow (default 200 ms). */
	progressIntervalMs?: number;
	/** Free bytes on the cache's volume (default: statfs); the download is refused up front when short. */
	freeDiskBytes?: (directory: string) => number;
};

export type DownloadOutcome = {directory: string; dtype: string; fetched: string[]; present: string[]; bytes: number};

/** The cache directory transformers.js reads this repository from. */
export function hubCacheDirectory(source: HubSource): string {
	return path.join(source.cacheDir, source.repository);
}

/** Files to ask the hub for: missing or broken required files, and the graph's data file while the graph is unknown. */
function candidateFiles(directory: string, dtype: string): {required: string[]; optional: string[]} {
	const inventory = inventoryModelDirectory(directory, dtype);
	const graph = modelFileForDtype(dtype);
	for (const {file} of inventory.broken) {
		// A truncated or unreadable file in place was not written by this downloader: fetch it again.
		rmSync(path.join(directory, file), {force: true});
	}

	const wanted = [...new Set([...inventory.missing, ...inventory.broken.map(({file}) => file)])];
	// A graph still to fetch may or may not keep its weights in `<graph>_data`: the hub says.
	const data = externalDataFileFor(graph);
	const graphWanted = wanted.includes(graph);
	return {required: wanted.filter(file => !(graphWanted && file === data)), optional: graphWanted ? [data] : []};
}

/** HEADs every candidate; a required file the hub lacks is a one-line error naming it. */
async function planTransfers(source: HubSource, directory: string, dtype: string, fetcher: typeof fetch): Promise<FileTransfer[]> {
	const {required, optional} = candidateFiles(directory, dtype);
	const transfers: FileTransfer[] = [];
	for (const file of [...required, ...optional]) {
		const url = hubFileUrl(source, file);
		const probe = await probeHubFile(url, fetcher);
		if (probe.status === 'unreachable') {
			throw new ModelLoadError(`cannot download ${file}: ${url} did not answer (${probe.reason})`, 'use a mirror: export HF_ENDPOINT=https://hf-mirror.com; or set migration.target_model_path to a local directory with the files');
		}

		if (probe.status === 'absent') {
			if (optional.includes(file)) {
				continue;
			}

			throw new ModelLoadError(`cannot download ${file}: ${url} answered ${probe.httpStatus} (not found)`, `the repository ${source.repository} has no such file: check migration.dtype (${dtype}) and the repository name, or use another mirror (HF_ENDPOINT)`);
		}

		const target = path.join(directory, file);
		if (existsSync(target) && probe.size !== undefined && sizeOnDisk(target) === probe.size) {
			continue;
		}

		rmSync(target, {force: true});
		transfers.push({file, url, target, expected: probe.size, sizeSource: probe.sizeSource, sha256: probe.sha256});
	}

	return transfers;
}

function assertRoomFor(directory: string, transfers: FileTransfer[], freeBytes: (directory: string) => number): void {
	const needed = transfers.reduce((sum, {target, expected}) => sum + Math.max(0, (expected ?? 0) - sizeOnDisk(partFileOf(target))), 0);
	const free = freeBytes(directory);
	if (needed > free) {
		throw new DiskFullError(volumeOf(directory), formatBytes(needed - free), new Error(`ENOSPC: ${directory} has ${free} bytes free, the download needs ${needed}`));
	}
}

/**
 * Downloads what the dtype needs and is not whole in the cache. Resolves once every file is in
 * place and the inventory is complete; throws a one-line ModelLoadError naming the file otherwise.
 */
export async function downloadModelFiles(source: HubSource, dtype: string, options: DownloadOptions = {}): Promise<DownloadOutcome> {
	const directory = hubCacheDirectory(source);
	const fetcher = options.fetcher ?? fetch;
	const now = options.now ?? Date.now;
	mkdirSync(directory, {recursive: true});
	const transfers = await planTransfers(source, directory, dtype, fetcher);
	assertRoomFor(directory, transfers, options.freeDiskBytes ?? freeDiskBytes);
	const totalBytes = transfers.reduce((sum, {expected}) => sum + (expected ?? 0), 0);
	const meter = new RateMeter(5000);
	let finishedBytes = 0;
	let lastReport = Number.NEGATIVE_INFINITY;
	const report = (index: number, fileBytes: number, force: boolean, done = false) => {
		const transfer = transfers[index]!;
		const bytes = finishedBytes + fileBytes;
		meter.add(now(), bytes);
		if (force || now() - lastReport >= (options.progressIntervalMs ?? 200)) {
			lastReport = now();
			options.onProgress?.({repository: source.repository, file: transfer.file, fileIndex: index + 1, files: transfers.length, fileBytes, fileTotal: transfer.expected, bytes, totalBytes: Math.max(totalBytes, bytes), bytesPerSecond: meter.rate(), done});
		}
	};

	for (const [index, transfer] of transfers.entries()) {
		report(index, sizeOnDisk(partFileOf(transfer.target)), true);
		try {
			await transferFile(transfer, {
				fetcher,
				retries: options.retries ?? 5,
				backoffMs: options.backoffMs ?? 1000,
				sleep: options.sleep ?? (async ms => new Promise(resolve => setTimeout(resolve, ms))),
				signal: options.signal,
				onBytes: fileBytes => report(index, fileBytes, false),
			});
		} catch (error) {
			throw diskFullFrom(error, transfer.target, (transfer.expected ?? 0) - sizeOnDisk(partFileOf(transfer.target))) ?? error;
		}

		const size = sizeOnDisk(transfer.target);
		report(index, size, true, index === transfers.length - 1);
		finishedBytes += size;
	}

	const inventory = inventoryModelDirectory(directory, dtype);
	if (!inventoryComplete(inventory)) {
		throw new ModelLoadError(`the download of ${source.repository} (dtype ${dtype}) is incomplete: ${describeInventoryProblems(inventory)}`, 'the hub lacks a file the graph needs: choose another dtype (migration.dtype) or mirror (HF_ENDPOINT)');
	}

	return {directory, dtype, fetched: transfers.map(({file}) => file), present: inventory.required.filter(file => !transfers.some(transfer => transfer.file === file)), bytes: finishedBytes};
}

/** Whether a hub model still needs a download for this dtype (something missing or broken in the cache). */
export function hubDownloadNeeded(source: HubSource, dtype: string): boolean {
	return !inventoryComplete(inventoryModelDirectory(hubCacheDirectory(source), dtype));
}
