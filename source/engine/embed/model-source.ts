/**
 * Where a model's weights come from. The id the bot names (e.g. `Qwen/Qwen3-Embedding-0.6B`) is
 * what gets written to the database; the weights may come from a local directory, the download
 * cache, or the hub (or its mirror, HF_ENDPOINT) under their ONNX repository name.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';

/** Hub ids as the bot names them → repositories with ONNX weights for transformers.js. */
export const onnxRepositories: Record<string, string> = {
	'Qwen/Qwen3-Embedding-0.6B': 'onnx-community/Qwen3-Embedding-0.6B-ONNX',
	'sentence-transformers/paraphrase-multilingual-mpnet-base-v2': 'Xenova/paraphrase-multilingual-mpnet-base-v2',
	'paraphrase-multilingual-mpnet-base-v2': 'Xenova/paraphrase-multilingual-mpnet-base-v2',
	'sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2': 'Xenova/paraphrase-multilingual-MiniLM-L12-v2',
	'paraphrase-multilingual-MiniLM-L12-v2': 'Xenova/paraphrase-multilingual-MiniLM-L12-v2',
};

export const defaultHubEndpoint = 'https://huggingface.co/';

export type ModelSource =
	| {kind: 'local'; modelId: string; directory: string}
	| {kind: 'hub'; modelId: string; repository: string; endpoint: string; cacheDir: string};

export type ModelSourceOptions = {
	/** A local directory in Hugging Face layout; wins over everything else when set. */
	localPath?: string | null;
	/** The workspace root, for relative paths. */
	root: string;
	/** settings' hf_endpoint; HF_ENDPOINT in the environment wins, as in the guide. */
	endpoint?: string | null;
	cacheDir: string;
	env?: NodeJS.ProcessEnv;
};

function looksLikePath(modelId: string): boolean {
	return modelId.startsWith('.') || modelId.startsWith('/') || modelId.startsWith('~');
}

export function resolveModelSource(modelId: string, options: ModelSourceOptions): ModelSource {
	const env = options.env ?? process.env;
	if (options.localPath) {
		return {kind: 'local', modelId, directory: path.resolve(options.root, options.localPath)};
	}

	// The guide's offline fix sets embedding_model to a local path.
	if (looksLikePath(modelId)) {
		return {kind: 'local', modelId, directory: path.resolve(options.root, modelId)};
	}

	const endpoint = env.HF_ENDPOINT ?? options.endpoint ?? defaultHubEndpoint;
	return {
		kind: 'hub',
		modelId,
		repository: onnxRepositories[modelId] ?? modelId,
		endpoint: endpoint.endsWith('/') ? endpoint : `${endpoint}/`,
		cacheDir: path.resolve(options.root, options.cacheDir),
	};
}

/** One line naming where weights were looked for, for errors and `check`. */
export function describeModelSource(source: ModelSource): string {
	return source.kind === 'local'
		? `local directory ${source.directory}`
		: `hub repository ${source.repository} via ${source.endpoint} (cache ${source.cacheDir})`;
}

/** The directory the weights are (or would be) in. */
export function modelDirectory(source: ModelSource): string {
	return source.kind === 'local' ? source.directory : path.join(source.cacheDir, source.repository);
}

/** Whether the weights are already on disk (a local directory, or a populated cache entry). */
export function modelFilesPresent(source: ModelSource): boolean {
	const directory = modelDirectory(source);
	return existsSync(path.join(directory, 'config.json')) && existsSync(path.join(directory, 'tokenizer.json'));
}
