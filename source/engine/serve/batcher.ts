/**
 * Token-budget batching across concurrent HTTP requests: texts from every request wait together,
 * and each model call takes a length-sorted run of them (rows × longest ≤ the budget). The run is
 * always the one around the oldest waiting text, so a long text is never starved by short ones.
 */
import type {EmbeddingBackend} from '../embed-backend.js';
import type {EncodedText} from '../embed/tokenize.js';

export type BatcherModel = Pick<EmbeddingBackend, 'encodeAsync' | 'padEncoded' | 'embedBatch'>;

type Waiting = {encoded: EncodedText; arrived: number; resolve: (vector: Float32Array) => void; reject: (error: unknown) => void};

/**
 * depth: model calls at once. 1 by default: the worker runs calls one after another anyway, and
 * texts that arrive while the model is busy then join the next call instead of a small one queued early.
 */
export type BatcherOptions = {maxBatchTokens: number; maxRows: number; depth?: number};

export class RequestBatcher {
	private waiting: Waiting[] = [];
	private running = 0;
	private arrivals = 0;

	constructor(
		private readonly model: BatcherModel,
		private readonly options: BatcherOptions,
	) {}

	/**
	 * Vectors for `inputs` (in order) and how many tokens they took. A text is tokenised (and cut to
	 * the model's max_tokens, EOS last); token ids are embedded as they are, as vLLM and TEI do.
	 */
	async embed(inputs: ReadonlyArray<string | readonly number[]>): Promise<{vectors: Float32Array[]; tokens: number}> {
		const texts = inputs.filter(input => typeof input === 'string');
		const tokenized = texts.length > 0 ? await this.model.encodeAsync(texts) : [];
		let nextText = 0;
		const encoded = inputs.map(input => (typeof input === 'string' ? tokenized[nextText++]! : {ids: [...input], truncated: false}));
		const vectors = Promise.all(
			encoded.map(
				item =>
					new Promise<Float32Array>((resolve, reject) => {
						this.waiting.push({encoded: item, arrived: this.arrivals++, resolve, reject});
					}),
			),
		);
		// One turn of the event loop first, so requests that arrived together share a call.
		setImmediate(() => this.drain());
		return {vectors: await vectors, tokens: encoded.reduce((sum, item) => sum + item.ids.length, 0)};
	}

	/** Texts not yet sent to the model (for /health). */
	get queued(): number {
		return this.waiting.length;
	}

	private drain(): void {
		while (this.waiting.length > 0 && this.running < (this.options.depth ?? 1)) {
			const batch = this.takeBatch();
			this.running++;
			void this.run(batch).finally(() => {
				this.running--;
				this.drain();
			});
		}
	}

	/** The length-sorted run around the oldest waiting text that fits the budget. */
	private takeBatch(): Waiting[] {
		const sorted = [...this.waiting].sort((a, b) => a.encoded.ids.length - b.encoded.ids.length || a.arrived - b.arrived);
		const oldest = sorted.reduce((best, item, index) => (item.arrived < sorted[best]!.arrived ? index : best), 0);
		let low = oldest;
		let high = oldest + 1;
		const fits = (from: number, to: number) => to - from <= this.options.maxRows && (to - from) * sorted[to - 1]!.encoded.ids.length <= this.options.maxBatchTokens;
		for (let grown = true; grown; ) {
			grown = false;
			if (high < sorted.length && fits(low, high + 1)) {
				high++;
				grown = true;
			}

			if (low > 0 && fits(low - 1, high)) {
				low--;
				grown = true;
			}
		}

		const batch = sorted.slice(low, high);
		const taken = new Set(batch);
		this.waiting = this.waiting.filter(item => !taken.has(item));
		return batch;
	}

	private async run(batch: Waiting[]): Promise<void> {
		try {
			const {vectors, dimension} = await this.model.embedBatch(this.model.padEncoded(batch.map(item => item.encoded)));
			for (const [row, item] of batch.entries()) {
				item.resolve(vectors.slice(row * dimension, (row + 1) * dimension));
			}
		} catch (error) {
			for (const item of batch) {
				item.reject(error);
			}
		}
	}
}
