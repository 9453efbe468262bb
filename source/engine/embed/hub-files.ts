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

/** The URL transformers.js downloads a repository file from (its default remote path template). */
export function hubFileUrl(source: ModelSource & {kind: 'hub'}, file: string): string {
	return `${source.endpoint}${source.repository}/resolve/main/${file}`;
}

/** True, false, or undefined when the hub could not be asked. */
async function hubHasFile(url: string, fetcher: typeof fetch, timeoutMs: number): Promise<boolean | undefined> {
	try {
		const response = await fetcher(url, {method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs)});
		if (response.status === 404) {
			return false;
		}

		return response.ok ? true : undefined;
	} catch {
		return undefined;
	}
}

/** Whether the dtype's graph comes with `<file>_data` on the hub (or in the cache already). */
export async function hubNeedsExternalData(
	source: ModelSource & {kind: 'hub'},
	dtype: string,
	options: {fetcher?: typeof fetch; timeoutMs?: number} = {},
): Promise<boolean> {
	const dataFile = externalDataFileFor(modelFileForDtype(dtype));
	if (existsSync(path.join(source.cacheDir, source.repository, dataFile))) {
		return true;
	}

	const answer = await hubHasFile(hubFileUrl(source, dataFile), options.fetcher ?? fetch, options.timeoutMs ?? 10_000);
	// Unreachable hub: assume the real export's layout; the download then fails with a clear message.
	return answer ?? expectsExternalData(dtype);
}

/** Extra from_pretrained options for a hub source: fetch the external data the dtype needs. */
export async function hubLoadOptions(source: ModelSource, dtype: string): Promise<{use_external_data_format?: boolean}> {
	if (source.kind !== 'hub') {
		return {};
	}

	return {use_external_data_format: await hubNeedsExternalData(source, dtype)};
}
