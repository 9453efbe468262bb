/**
 * What a hub download must fetch for a dtype. transformers.js fetches a graph's external data only
 * when config.json says `use_external_data_format`, which the real Qwen3 export's config does not:
 * the fp32 and fp16 graphs would then load without their weights. The tool decides instead: the
 * data file is fetched whenever it is already cached, or the hub has it.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {expectsExternalData, externalDataFileFor, modelFileForDtype} from './model-files.js';
import type {ModelSource} from './model-source.js';
import {inspectOnnxFile} from './onnx-inspect.js';

/** The URL transformers.js downloads a repository file from (its default remote path template). */
export function hubFileUrl(source: ModelSource & {kind: 'hub'}, file: string): string {
	return `${source.endpoint}${source.repository}/resolve/main/${file}`;
}

/** What the hub says about one file: there (with its size when announced), absent, or no answer. */
export type HubFileProbe =
	| {status: 'present'; size: number | undefined; sizeSource: 'x-linked-size' | 'content-length' | undefined; /** An LFS file's sha256 (the hub's x-linked-etag). */ sha256?: string}
	| {status: 'absent'; httpStatus: number}
	| {status: 'unreachable'; reason: string};

/** A size header's value, or undefined when absent or not a whole number. */
export function sizeHeader(value: string | null): number | undefined {
	return value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** The reason a fetch failed, as undici reports it (the cause holds ECONNREFUSED and friends). */
export function fetchFailureReason(error: unknown): string {
	return ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
}

/**
 * HEAD of a repository file, following redirects by hand: the hub answers an LFS file with a
 * redirect to its CDN whose first response carries `x-linked-size`, the size of the real file.
 */
export async function probeHubFile(url: string, fetcher: typeof fetch = fetch, timeoutMs = 10_000): Promise<HubFileProbe> {
	let current = url;
	let linkedSize: number | undefined;
	let sha256: string | undefined;
	try {
		for (let hop = 0; hop < 6; hop++) {
			const response = await fetcher(current, {method: 'HEAD', redirect: 'manual', headers: {'accept-encoding': 'identity'}, signal: AbortSignal.timeout(timeoutMs)});
			linkedSize ??= sizeHeader(response.headers.get('x-linked-size'));
			sha256 ??= /^(?:W\/)?"?([\da-f]{64})"?$/.exec(response.headers.get('x-linked-etag') ?? '')?.[1];
			const location = response.headers.get('location');
			if (response.status >= 300 && response.status < 400 && location) {
				current = new URL(location, current).href;
				continue;
			}

			if (response.status === 404) {
				return {status: 'absent', httpStatus: 404};
			}

			if (!response.ok) {
				return {status: 'unreachable', reason: `HTTP ${response.status}`};
			}

			const contentLength = sizeHeader(response.headers.get('content-length'));
			return linkedSize === undefined
				? {status: 'present', size: contentLength, sizeSource: contentLength === undefined ? undefined : 'content-length'}
				: {status: 'present', size: linkedSize, sizeSource: 'x-linked-size', sha256};
		}

		return {status: 'unreachable', reason: 'too many redirects'};
	} catch (error) {
		return {status: 'unreachable', reason: fetchFailureReason(error)};
	}
}

/** Whether the dtype's graph comes with `<file>_data` on the hub (or in the cache already). */
export async function hubNeedsExternalData(
	source: ModelSource & {kind: 'hub'},
	dtype: string,
	options: {fetcher?: typeof fetch; timeoutMs?: number} = {},
): Promise<boolean> {
	const graph = modelFileForDtype(dtype);
	const dataFile = externalDataFileFor(graph);
	const directory = path.join(source.cacheDir, source.repository);
	if (existsSync(path.join(directory, dataFile))) {
		return true;
	}

	// A downloaded graph names its external files: no need to ask the hub (the load stays offline).
	const cachedGraph = path.join(directory, graph);
	const report = existsSync(cachedGraph) ? inspectOnnxFile(cachedGraph) : undefined;
	if (report?.ok) {
		return report.externalData.length > 0;
	}

	const probe = await probeHubFile(hubFileUrl(source, dataFile), options.fetcher ?? fetch, options.timeoutMs ?? 10_000);
	// Unreachable hub: assume the real export's layout; the download then fails with a clear message.
	return probe.status === 'unreachable' ? expectsExternalData(dtype) : probe.status === 'present';
}

/** Extra from_pretrained options for a hub source: fetch the external data the dtype needs. */
export async function hubLoadOptions(source: ModelSource, dtype: string): Promise<{use_external_data_format?: boolean}> {
	if (source.kind !== 'hub') {
		return {};
	}

	return {use_external_data_format: await hubNeedsExternalData(source, dtype)};
}
