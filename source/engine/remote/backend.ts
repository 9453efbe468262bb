/**
 * The remote implementation of the engine's EmbeddingBackend: the embed phase plans, dedupes,
 * checkpoints and resumes exactly as with the local model, and only `embedBatch` differs — it sends
 * the batch's (bot-preprocessed) texts to the endpoint pool instead of running ONNX.
 * The token ids the engine batches by are a counting device here; each encoded text and each
 * padded batch remembers the text it came from, so `embedBatch` can send the text itself.
 *
 * Texts over max_tokens: the local model cuts them to max_tokens with EOS last; a server given the
 * whole text would embed more (vLLM's context is 32k) or cut it its own way. So when the target's
 * tokenizer is here (exact ids) and a batch holds a cut text, the batch goes as the local run's
 * token ids (the OpenAI API's token-array input, which vLLM, TEI and `serve` accept), and the
 * vectors match the local run's. A server that refuses ids (Ollama, Infinity) gets texts from then
 * on, with one warning in the log: its long texts are cut by the server.
 */
import type {EmbeddingBackend} from '../embed-backend.js';
import type {EmbeddingResult} from '../embed/embedder.js';
import type {EncodedText, TokenizedBatch} from '../embed/tokenize.js';
import type {Device} from '../types.js';
import {errorMessage} from '../errors.js';
import {logText} from '../log/messages.js';
import {botPreprocess} from './bot-preprocess.js';
import type {EndpointStats} from './endpoint.js';
import type {EndpointPool} from './pool.js';
import {RemoteEndpointError} from './remote-errors.js';
import type {TokenCounter} from './token-count.js';

/** What a padded batch sends: its texts, and their token ids when one of them was cut. */
type BatchInput = {texts: string[]; ids: number[][] | undefined};

export class RemoteEmbeddingBackend implements EmbeddingBackend {
	/**
	 * The engine's device vocabulary has no "remote"; 'cpu' keeps the OOM path from trying a
	 * device switch that would mean nothing here (see the report: a `remote` device is proposed).
	 */
	readonly device: Device = 'cpu';
	readonly kind = 'remote';
	private readonly textOf = new WeakMap<object, string>();
	private readonly batchInputs = new WeakMap<TokenizedBatch, BatchInput>();
	/** A server refused token ids: cut texts go whole from then on. */
	private tokenInputRefused = false;
	private statsTimer: NodeJS.Timeout | undefined;

	constructor(
		/** The id written to embeddings.model_version (the bot's name), not the server's model name. */
		readonly modelId: string,
		readonly dimension: number,
		private readonly pool: EndpointPool,
		private readonly counter: TokenCounter,
		private readonly options: {maxTokens?: number; warn?: ((line: string) => void) | undefined} = {},
	) {}

	/** Batches the pool can keep in flight now (all endpoints' slots): the embed loop's pipeline depth. */
	get capacity(): number {
		return this.pool.capacity;
	}

	/** One row per endpoint for the dashboard. */
	endpointStats(): EndpointStats[] {
		return this.pool.stats();
	}

	/** Hands the endpoint rows to `listener` every `everyMs` until close (the timer keeps no process alive). */
	watchStats(listener: (stats: EndpointStats[]) => void, everyMs = 1000): void {
		clearInterval(this.statsTimer);
		this.statsTimer = setInterval(() => {
			listener(this.endpointStats());
		}, everyMs);
		this.statsTimer.unref();
		listener(this.endpointStats());
	}

	async encodeAsync(texts: readonly string[]): Promise<EncodedText[]> {
		// The rule is idempotent: applying it to text the engine already preprocessed changes nothing.
		const prepared = texts.map(text => botPreprocess(text));
		const encoded = await this.counter.encode(prepared);
		for (const [index, item] of encoded.entries()) {
			this.textOf.set(item, prepared[index]!);
		}

		return encoded;
	}

	async tokenizeAsync(texts: readonly string[]): Promise<TokenizedBatch> {
		return this.padEncoded(await this.encodeAsync(texts));
	}

	padEncoded(encoded: ReadonlyArray<{ids: readonly number[]; truncated: boolean}>): TokenizedBatch {
		const texts = encoded.map(item => this.textOf.get(item));
		if (texts.some(text => text === undefined)) {
			throw new Error('internal: the remote backend pads only what its own encodeAsync returned (it sends texts, not ids)');
		}

		const batch = this.counter.padEncoded(encoded);
		// Estimated counts have no real ids: those texts go whole and the server cuts them.
		const sendIds = this.counter.kind === 'tokenizer' && encoded.some(item => item.truncated);
		this.batchInputs.set(batch, {texts: texts as string[], ids: sendIds ? encoded.map(item => [...item.ids]) : undefined});
		return batch;
	}

	/** Sends the batch's texts; resolves when one endpoint has answered for all of them. */
	async embedBatch(batch: TokenizedBatch): Promise<EmbeddingResult> {
		const input = this.batchInputs.get(batch);
		if (!input) {
			throw new Error('internal: this batch was not made by the remote backend\'s padEncoded/tokenizeAsync');
		}

		const started = performance.now();
		const rows = await this.send(input);
		const vectors = new Float32Array(rows.length * this.dimension);
		for (const [index, row] of rows.entries()) {
			vectors.set(row, index * this.dimension);
		}

		return {vectors, dimension: this.dimension, inferenceMs: performance.now() - started};
	}

	/** The batch's token ids when it holds a cut text and the servers take ids; else its texts. */
	private async send(input: BatchInput): Promise<Float32Array[]> {
		if (input.ids && !this.tokenInputRefused) {
			try {
				return await this.pool.embed(input.ids);
			} catch (error) {
				if (!(error instanceof RemoteEndpointError && error.kind === 'bad-input')) {
					throw error;
				}

				this.tokenInputRefused = true;
				this.options.warn?.(`${logText.endpointTokenInputRefused(error.endpoint, this.options.maxTokens ?? input.ids[0]!.length)} (${errorMessage(error)})`);
			}
		}

		return this.pool.embed(input.texts);
	}

	/** Convenience: one vector per text (probe, plan's timing sample). */
	async embed(texts: readonly string[]): Promise<Float32Array[]> {
		const {vectors, dimension} = await this.embedBatch(await this.tokenizeAsync(texts));
		return texts.map((_text, row) => vectors.slice(row * dimension, (row + 1) * dimension));
	}

	/** The servers choose their own devices; a request to switch is a no-op. */
	async switchDevice(_device: Device): Promise<void> {
		// Nothing to do: see `device`.
	}

	async close(): Promise<void> {
		clearInterval(this.statsTimer);
		await this.pool.close();
		await this.counter.close();
	}
}
