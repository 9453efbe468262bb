/**
 * The embedding module for both models: tokenises in one worker thread and runs the ONNX model in
 * another, returning L2-normalised vectors with the right pooling for the model family.
 */
import {Worker} from 'node:worker_threads';
import {ModelLoadError, errorMessage} from '../errors.js';
import {describeModelSource, type ModelSource} from './model-source.js';
import type {Device, LoadRequest, Pooling, RunRequest, WorkerResponse} from './protocol.js';
import type {EncodedText, TokenizedBatch} from './tokenize.js';
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
};

export type EmbeddingResult = {
	/** Row-major, `batchSize × dimension`, each row unit length. */
	vectors: Float32Array;
	dimension: number;
	inferenceMs: number;
};

/** Model families that pool on the last token (decoder embedders); everything else uses the mean. */
const lastTokenModelTypes = new Set(['qwen2', 'qwen3', 'mistral', 'llama', 'gemma', 'gemma2', 'gemma3_text']);

const workerUrl = new URL(`./embedding-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export const guideModelFixes =
	'fixes: (1) use a mirror: export HF_ENDPOINT=https://hf-mirror.com; ' +
	'(2) download the repository\'s files by hand into the cache directory named above; ' +
	'(3) point memory_system.migration.target_model_path at a local directory with config.json, tokenizer.json and onnx/model.onnx';

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
				this.requests.resolve(message.id, message.modelType);
			} else {
				this.requests.resolve(message.id, {vectors: message.vectors, dimension: message.dimension, inferenceMs: message.inferenceMs});
			}
		});
	}

	/** Loads the model; resolves with its model_type. */
	async load(source: ModelSource, device: Device, dtype: string, threads?: number): Promise<string> {
		return this.requests.send<string>(id => ({type: 'load', id, source, device, dtype, threads}) satisfies LoadRequest);
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
		readonly modelType: string,
		readonly pooling: Pooling,
		private currentDevice: Device,
		readonly dimension: number,
		private readonly options: EmbedderOptions,
	) {}

	/** Loads tokenizer and model; the real output dimension is measured with a probe text. */
	static async load(options: EmbedderOptions): Promise<Embedder> {
		const {source, maxTokens = 512} = options;
		const device = resolveDevice(options.device ?? 'auto', options.cpuOnlyMode);
		let tokenizer: RemoteTokenizer | undefined;
		let worker: ModelWorker | undefined;
		try {
			// Tokenizer and model load in their own threads, side by side.
			worker = new ModelWorker();
			const modelLoad = worker.load(source, device, resolveDtype(options.dtype ?? 'auto', device), options.threads);
			const tokenizerLoad = RemoteTokenizer.load(source, maxTokens);
			const [modelType, loadedTokenizer] = await Promise.all([modelLoad, tokenizerLoad.then(loaded => (tokenizer = loaded))]);
			const pooling: Pooling = lastTokenModelTypes.has(modelType) ? 'last_token' : 'mean';
			const probe = await worker.run(await loadedTokenizer.tokenize(['dimension probe']), pooling);
			return new Embedder(source, loadedTokenizer, worker, modelType, pooling, device, probe.dimension, options);
		} catch (error) {
			await worker?.terminate();
			await tokenizer?.close();
			throw new ModelLoadError(
				`cannot load ${source.modelId} from ${describeModelSource(source)} on ${device}: ${errorMessage(error).split('\n')[0]}`,
				guideModelFixes,
				error,
			);
		}
	}

	get modelId(): string {
		return this.source.modelId;
	}

	get device(): Device {
		return this.currentDevice;
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
		const replacement = new ModelWorker();
		try {
			await replacement.load(this.source, device, resolveDtype(this.options.dtype ?? 'auto', device), this.options.threads);
		} catch (error) {
			await replacement.terminate();
			throw new ModelLoadError(`cannot load ${this.modelId} on ${device}: ${errorMessage(error)}`, guideModelFixes, error);
		}

		const previous = this.worker;
		this.worker = replacement;
		this.currentDevice = device;
		await previous.terminate();
	}

	async close(): Promise<void> {
		await this.worker.terminate();
		await this.tokenizer.close();
	}
}
