/**
 * The embedding module for both models: tokenises in one worker thread and runs the ONNX model in
 * another, returning L2-normalised vectors with the right pooling for the model family.
 */
import {Worker} from 'node:worker_threads';
import {ModelLoadError, errorMessage} from '../errors.js';
import {describeModelSource, modelDirectory, type ModelSource} from './model-source.js';
import {modelLoadFixes} from './model-files.js';
import {downloadModelFiles, hubDownloadNeeded, type DownloadProgress} from './download.js';
import type {Device, FetchMode, LoadRequest, Pooling, RunRequest, WorkerResponse} from './protocol.js';
import type {EncodedText, TextRule, TokenizedBatch} from './tokenize.js';
import {RemoteTokenizer} from './tokenizer-client.js';
import {resolveDevice, resolveDtype} from './devices.js';
import {remoteError, WorkerRequests} from '../util/worker-requests.js';

export type EmbedderOptions = {
	source: ModelSource;
	device?: 'auto' | Device;
	dtype?: string;
	/** Token budget per text (settings: migration.max_tokens). */
	maxTokens?: number;
	/** onnxruntime intra-op threads; undefined leaves onnxruntime's default. */
	threads?: number;
	cpuOnlyMode?: boolean;
	/** 'bot' (default): the bot's text rule before tokenising; 'raw' only for the golden check. */
	textRule?: TextRule;
	/** The output to pool (default last_hidden_state); a model without it fails to load. */
	outputName?: string;
	/** 'pooled' (default) fetches only that output; 'all' exists to measure the difference. */
	fetch?: FetchMode;
	/** A hub model's missing files are downloaded before the load; this hears the progress. */
	onDownload?: (progress: DownloadProgress) => void;
	/** Stops a download in progress (the `.part` file stays, and the next load resumes it). */
	signal?: AbortSignal;
};

export type LoadedModel = {modelType: string; inputNames: string[]; outputNames: string[]};

export type EmbeddingResult = {
	/** Row-major, `batchSize × dimension`, each row unit length. */
	vectors: Float32Array;
	dimension: number;
	inferenceMs: number;
};

/** Model families that pool on the last token (decoder embedders); everything else uses the mean. */
const lastTokenModelTypes = new Set(['qwen2', 'qwen3', 'mistral', 'llama', 'gemma', 'gemma2', 'gemma3_text']);

/** A hub model's missing files, fetched resumably and size-checked, so transformers.js reads only the cache. */
async function downloadIfNeeded(source: ModelSource, dtype: string, options: EmbedderOptions): Promise<void> {
	if (source.kind === 'hub' && hubDownloadNeeded(source, dtype)) {
		await downloadModelFiles(source, dtype, {onProgress: options.onDownload, signal: options.signal});
	}
}

const workerUrl = new URL(`./embedding-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

class ModelWorker {
	private readonly worker: Worker;
	private readonly requests: WorkerRequests;

	constructor() {
		this.worker = new Worker(workerUrl);
		this.requests = new WorkerRequests(this.worker, 'embedding worker');
		this.worker.on('message', (message: WorkerResponse) => {
			if (message.type === 'error') {
				this.requests.reject(message.id, remoteError(message.message, {stack: message.stack}));
			} else if (message.type === 'loaded') {
				this.requests.resolve(message.id, {modelType: message.modelType, inputNames: message.inputNames, outputNames: message.outputNames} satisfies LoadedModel);
			} else {
				this.requests.resolve(message.id, {vectors: message.vectors, dimension: message.dimension, inferenceMs: message.inferenceMs});
			}
		});
	}

	/** Loads the model; resolves with its model_type and signature. */
	async load(source: ModelSource, device: Device, dtype: string, options: EmbedderOptions): Promise<LoadedModel> {
		const {threads, outputName = 'last_hidden_state', fetch = 'pooled'} = options;
		return this.requests.send<LoadedModel>(id => ({type: 'load', id, source, device, dtype, threads, outputName, fetch}) satisfies LoadRequest);
	}

	async run(batch: TokenizedBatch, pooling: Pooling): Promise<EmbeddingResult> {
		const {inputIds, attentionMask, batchSize, sequenceLength} = batch;
		// The buffers are copied, not transferred: callers may reuse a batch (retries, bisection).
		return this.requests.send<EmbeddingResult>(id => ({type: 'run', id, inputIds, attentionMask, batchSize, sequenceLength, pooling}) satisfies RunRequest);
	}

	async terminate(): Promise<void> {
		this.requests.failAll(new Error('embedder closed'));
		await this.worker.terminate();
	}
}

export class Embedder {
	private constructor(
		readonly source: ModelSource,
		readonly tokenizer: RemoteTokenizer,
		private worker: ModelWorker,
		readonly model: LoadedModel,
		readonly pooling: Pooling,
		private currentDevice: Device,
		private currentDtype: string,
		readonly dimension: number,
		private readonly options: EmbedderOptions,
	) {}

	/**
	 * Loads tokenizer and model side by side; the real output dimension is measured with a probe
	 * text. On any failure both workers are ended before the error is thrown: one left running keeps
	 * the process alive after the error has been printed.
	 */
	static async load(options: EmbedderOptions): Promise<Embedder> {
		const {source, maxTokens = 512, textRule = 'bot'} = options;
		const device = resolveDevice(options.device ?? 'auto', options.cpuOnlyMode);
		const dtype = resolveDtype(options.dtype ?? 'auto', device, modelDirectory(source));
		await downloadIfNeeded(source, dtype, options);
		const worker = new ModelWorker();
		const cancelTokenizer = new AbortController();
		const tokenizerLoad = RemoteTokenizer.load(source, maxTokens, {textRule, signal: cancelTokenizer.signal});
		try {
			const [model, tokenizer] = await Promise.all([worker.load(source, device, dtype, options), tokenizerLoad]);
			const pooling: Pooling = lastTokenModelTypes.has(model.modelType) ? 'last_token' : 'mean';
			const probe = await worker.run(await tokenizer.tokenize(['dimension probe']), pooling);
			return new Embedder(source, tokenizer, worker, model, pooling, device, dtype, probe.dimension, options);
		} catch (error) {
			cancelTokenizer.abort();
			await Promise.allSettled([worker.terminate(), tokenizerLoad.then(async tokenizer => tokenizer.close())]);
			throw new ModelLoadError(
				`cannot load ${source.modelId} (dtype ${dtype}) from ${describeModelSource(source)} on ${device}: ${errorMessage(error).split('\n')[0]}`,
				modelLoadFixes(dtype),
				error,
			);
		}
	}

	get modelType(): string {
		return this.model.modelType;
	}

	get modelId(): string {
		return this.source.modelId;
	}

	get device(): Device {
		return this.currentDevice;
	}

	get dtype(): string {
		return this.currentDtype;
	}

	/** One padded batch of the texts, tokenised in the tokenizer worker. */
	async tokenizeAsync(texts: readonly string[]): Promise<TokenizedBatch> {
		return this.tokenizer.tokenize(texts);
	}

	/** Token ids per text (budget applied, EOS kept), tokenised in the tokenizer worker. */
	async encodeAsync(texts: readonly string[]): Promise<EncodedText[]> {
		return this.tokenizer.encode(texts);
	}

	/** A batch from token ids encoded earlier (the planner tokenises a whole window at once). */
	padEncoded(encoded: ReadonlyArray<{ids: readonly number[]; truncated: boolean}>): TokenizedBatch {
		return this.tokenizer.padEncoded(encoded);
	}

	/** Runs one tokenised batch. Several may be in flight; the worker runs them in order. */
	async embedBatch(batch: TokenizedBatch): Promise<EmbeddingResult> {
		return this.worker.run(batch, this.pooling);
	}

	/** Convenience: one vector per text. */
	async embed(texts: readonly string[]): Promise<Float32Array[]> {
		const {vectors, dimension} = await this.embedBatch(await this.tokenizeAsync(texts));
		return texts.map((_text, row) => vectors.slice(row * dimension, (row + 1) * dimension));
	}

	/** Reloads the model on another device (e.g. CPU after GPU out-of-memory). */
	async switchDevice(device: Device): Promise<void> {
		const dtype = resolveDtype(this.options.dtype ?? 'auto', device, modelDirectory(this.source));
		await downloadIfNeeded(this.source, dtype, this.options);
		const replacement = new ModelWorker();
		try {
			await replacement.load(this.source, device, dtype, this.options);
		} catch (error) {
			await replacement.terminate();
			throw new ModelLoadError(`cannot load ${this.modelId} (dtype ${dtype}) on ${device}: ${errorMessage(error).split('\n')[0]}`, modelLoadFixes(dtype), error);
		}

		const previous = this.worker;
		this.worker = replacement;
		this.currentDevice = device;
		this.currentDtype = dtype;
		await previous.terminate();
	}

	async close(): Promise<void> {
		await this.worker.terminate();
		await this.tokenizer.close();
	}
}
