/**
 * Whether a model's weights can be had for the chosen dtype: a local directory, the download cache,
 * or the hub. Every file the dtype needs is verified (graph, external data, config, tokenizer); a
 * model is never called "cached" or "available" unless all of them are there and whole.
 */
import {AppError, ModelLoadError, errorMessage} from '../errors.js';
import {downloadModelFiles, type DownloadOptions, type DownloadProgress} from '../embed/download.js';
import {resolveDevice, resolveDtype} from '../embed/devices.js';
import {runGoldenCheck} from '../embed/golden.js';
import {describeInventoryProblems, inventoryComplete, inventoryModelDirectory, type ModelInventory} from '../embed/model-inventory.js';
import {describeModelSource, modelDirectory, resolveModelSource, type ModelSource} from '../embed/model-source.js';
import type {MemorySystemSettings} from '../settings/schema.js';
import type {Device} from '../embed/protocol.js';
import type {ReportItem} from './report.js';

const modelFixes = 'use a mirror (export HF_ENDPOINT=https://hf-mirror.com), download the files by hand into the cache directory, or set a local directory (migration.target_model_path)';

/** Probes the hub endpoint with a short HEAD request (no download). */
async function hubReachable(endpoint: string, fetcher: typeof fetch, timeoutMs: number): Promise<string | undefined> {
	try {
		const response = await fetcher(endpoint, {method: 'HEAD', signal: AbortSignal.timeout(timeoutMs)});
		return response.status < 500 ? undefined : `HTTP ${response.status}`;
	} catch (error) {
		return ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
	}
}

/** Every file the dtype needs, checked on disk ('auto' resolves as the embedder resolves it). */
export function modelInventory(source: ModelSource, dtype = 'auto', device: 'auto' | Device = 'auto'): ModelInventory {
	return inventoryModelDirectory(modelDirectory(source), resolveDtype(dtype, resolveDevice(device), modelDirectory(source)));
}

/** True only when every file the dtype needs is on disk and whole (plan's "can probe" test). */
export function modelFilesComplete(source: ModelSource, dtype = 'auto', device: 'auto' | Device = 'auto'): boolean {
	return inventoryComplete(modelInventory(source, dtype, device));
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;

export async function checkModel(
	role: 'source' | 'target',
	source: ModelSource,
	options: {fetcher?: typeof fetch; timeoutMs?: number; dtype?: string; device?: 'auto' | Device} = {},
): Promise<ReportItem> {
	const id = `model-${role}`;
	const inventory = modelInventory(source, options.dtype, options.device);
	const subject = `${source.modelId} (dtype ${inventory.dtype})`;
	const title = `${role} model ${subject}`;
	const failStatus = role === 'target' ? 'fail' : 'warn';
	const files = inventory.required.filter(file => file.startsWith('onnx/')).join(' + ');
	if (inventoryComplete(inventory)) {
		const where = source.kind === 'local' ? `local directory ${source.directory}` : `cached in ${inventory.directory}`;
		return {id, status: 'ok', title, subject, detail: `${where}: ${files}, ${megabytes(inventory.bytes)}`};
	}

	const problems = describeInventoryProblems(inventory);
	if (source.kind === 'local') {
		return {id, status: failStatus, title, subject, detail: `${source.directory}: ${problems}`, fix: `put the dtype's files there (${inventory.required.join(', ')}), or choose a dtype whose files are present (migration.dtype)`};
	}

	const partly = inventory.broken.length > 0 ? `incomplete (${problems})` : inventory.bytes > 0 ? `partly downloaded (${problems})` : 'not downloaded yet';
	const problem = await hubReachable(source.endpoint, options.fetcher ?? fetch, options.timeoutMs ?? 3000);
	if (!problem) {
		return {id, status: 'warn', title, subject, detail: `${partly}; ${describeModelSource(source)} is reachable: 'qwen3-migrate download' (or the first run) fetches ${inventory.required.join(', ')}`};
	}

	return {id, status: failStatus, title, subject, detail: `${partly}, and ${source.endpoint} is unreachable (${problem})`, fix: modelFixes};
}

/**
 * `check --golden`: the model card's example run on the target weights. Fails (and says plainly
 * that these are not the real weights) when the scores are off by more than the card's ±0.002.
 */
export async function checkGolden(source: ModelSource, options: {dtype?: string; device?: 'auto' | Device; maxTokens?: number; onDownload?: (progress: DownloadProgress) => void; signal?: AbortSignal} = {}): Promise<ReportItem> {
	const title = `golden check of ${source.modelId} (model card scores)`;
	try {
		const report = await runGoldenCheck(source, {dtype: options.dtype, device: options.device ?? 'auto', maxTokens: options.maxTokens, onDownload: options.onDownload, signal: options.signal});
		return report.matches
			? {id: 'model-golden', status: 'ok', title, subject: source.modelId, detail: report.summary}
			: {id: 'model-golden', status: 'fail', title, subject: source.modelId, detail: report.summary, fix: 'download the real weights (onnx-community/Qwen3-Embedding-0.6B-ONNX) again, or check migration.target_model_path and migration.dtype (fp32 reproduces the card)'};
	} catch (error) {
		// Stopped (Ctrl+C during the download) is not a finding about the model: the check ends.
		if (options.signal?.aborted) {
			throw error;
		}

		return {id: 'model-golden', status: 'fail', title, subject: source.modelId, detail: errorMessage(error), fix: error instanceof AppError && error.hint ? error.hint : modelFixes};
	}
}

export type ModelFetchReport = {
	model: string;
	/** Where the weights come from (hub repository and endpoint, or the local directory). */
	from: string;
	directory: string;
	dtype: string;
	/** downloaded: files were fetched now; cached / local: everything was already there. */
	status: 'downloaded' | 'cached' | 'local';
	fetched: string[];
	files: string[];
	bytes: number;
};

/**
 * `download`: every file the configured (or given) dtype needs for the target model (or the source
 * model), fetched now so that the run, or a machine without network later, loads from the cache.
 */
export async function fetchModelFiles(
	root: string,
	memory: MemorySystemSettings,
	options: {which?: 'target' | 'source'; dtype?: string; env?: NodeJS.ProcessEnv} & Pick<DownloadOptions, 'onProgress' | 'signal' | 'fetcher'>,
): Promise<ModelFetchReport> {
	const {migration} = memory;
	const target = (options.which ?? 'target') === 'target';
	const source = resolveModelSource(target ? migration.target_model : memory.embedding_model, {
		localPath: target ? migration.target_model_path : migration.source_model_path,
		root,
		endpoint: migration.hf_endpoint,
		cacheDir: migration.model_cache_dir,
		env: options.env,
	});
	// The source model runs with the default dtype; the target with migration.dtype on the run's device.
	const dtype = resolveDtype(options.dtype ?? (target ? migration.dtype : 'auto'), resolveDevice(target ? migration.device : 'auto', memory.cpu_only_mode), modelDirectory(source));
	const base = {model: source.modelId, from: describeModelSource(source), directory: modelDirectory(source), dtype};
	if (source.kind === 'local') {
		const inventory = inventoryModelDirectory(source.directory, dtype);
		if (!inventoryComplete(inventory)) {
			throw new ModelLoadError(`${source.modelId} comes from the local directory ${source.directory}, which is incomplete for dtype ${dtype}: ${describeInventoryProblems(inventory)}`, 'copy the files there, or clear migration.target_model_path to download from the hub');
		}

		return {...base, status: 'local', fetched: [], files: inventory.required, bytes: inventory.bytes};
	}

	const outcome = await downloadModelFiles(source, dtype, {onProgress: options.onProgress, signal: options.signal, fetcher: options.fetcher});
	return {...base, status: outcome.fetched.length > 0 ? 'downloaded' : 'cached', fetched: outcome.fetched, files: [...outcome.present, ...outcome.fetched], bytes: outcome.bytes};
}
