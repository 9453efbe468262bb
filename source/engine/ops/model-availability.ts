/** Whether a model's weights can be had: a local directory, the download cache, or the hub. */
import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {describeModelSource, modelFilesPresent, type ModelSource} from '../embed/model-source.js';
import type {ReportItem} from './report.js';

const modelFixes = 'use a mirror (export HF_ENDPOINT=https://hf-mirror.com), download the files by hand into the cache directory, or set a local directory (migration.target_model_path)';

function hasOnnxWeights(directory: string): boolean {
	const onnx = path.join(directory, 'onnx');
	return existsSync(onnx) && readdirSync(onnx).some(name => name.endsWith('.onnx'));
}

/** Probes the hub endpoint with a short HEAD request (no download). */
async function hubReachable(endpoint: string, fetcher: typeof fetch, timeoutMs: number): Promise<string | undefined> {
	try {
		const response = await fetcher(endpoint, {method: 'HEAD', signal: AbortSignal.timeout(timeoutMs)});
		return response.status < 500 ? undefined : `HTTP ${response.status}`;
	} catch (error) {
		return ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
	}
}

export async function checkModel(
	role: 'source' | 'target',
	source: ModelSource,
	options: {fetcher?: typeof fetch; timeoutMs?: number} = {},
): Promise<ReportItem> {
	const id = `model-${role}`;
	const title = `${role} model ${source.modelId}`;
	if (source.kind === 'local') {
		if (modelFilesPresent(source) && hasOnnxWeights(source.directory)) {
			return {id, status: 'ok', title, detail: `local directory ${source.directory}`};
		}

		return {
			id,
			status: role === 'target' ? 'fail' : 'warn',
			title,
			detail: `${source.directory} lacks config.json, tokenizer.json or onnx/*.onnx`,
			fix: 'point the path at a Hugging Face-layout directory with ONNX weights',
		};
	}

	if (modelFilesPresent(source)) {
		return {id, status: 'ok', title, detail: `cached in ${path.join(source.cacheDir, source.repository)}`};
	}

	const problem = await hubReachable(source.endpoint, options.fetcher ?? fetch, options.timeoutMs ?? 3000);
	if (!problem) {
		return {id, status: 'warn', title, detail: `not downloaded yet; ${describeModelSource(source)} is reachable, the first run downloads it`};
	}

	return {
		id,
		status: role === 'target' ? 'fail' : 'warn',
		title,
		detail: `not cached, and ${source.endpoint} is unreachable (${problem})`,
		fix: modelFixes,
	};
}
