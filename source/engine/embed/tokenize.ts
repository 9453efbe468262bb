/**
 * Tokenises texts for the embedding worker. The tool truncates by itself to a token budget and
 * keeps the closing special token (EOS for Qwen3, [SEP] for BERT), because the pipeline's own
 * truncation cuts the EOS that last-token pooling reads. Padding follows the tokenizer's side.
 */
import {AutoTokenizer, type PreTrainedTokenizer} from '@huggingface/transformers';

export type TokenizedBatch = {
	inputIds: BigInt64Array;
	attentionMask: BigInt64Array;
	batchSize: number;
	sequenceLength: number;
	/** Real (unpadded) token count of each text, specials included. */
	tokenCounts: number[];
	/** How many texts were cut to the budget. */
	truncatedCount: number;
};

export class TextTokenizer {
	private constructor(
		private readonly tokenizer: PreTrainedTokenizer,
		readonly maxTokens: number,
		readonly paddingSide: 'left' | 'right',
		private readonly padId: number,
		private readonly prefix: number[],
		private readonly suffix: number[],
	) {}

	/** Loads the tokenizer for `modelName` (as configured by configureTransformers). */
	static async load(modelName: string, maxTokens: number, paddingSide?: 'left' | 'right'): Promise<TextTokenizer> {
		const tokenizer = await AutoTokenizer.from_pretrained(modelName);
		const side = paddingSide ?? (tokenizer.padding_side === 'left' ? 'left' : 'right');
		const declaredMax = Number(tokenizer.model_max_length);
		const modelMax = Number.isFinite(declaredMax) ? declaredMax : maxTokens;
		// Learn which special tokens the post-processor puts before and after a text.
		const probe = 'probe';
		const bare = tokenizer.encode(probe, {add_special_tokens: false});
		const full = tokenizer.encode(probe);
		const start = findSubarray(full, bare);
		const prefix = start < 0 ? [] : full.slice(0, start);
		const suffix = start < 0 ? [] : full.slice(start + bare.length);
		const padId = (tokenizer.pad_token_id as number | undefined) ?? suffix.at(-1) ?? 0;
		const budget = Math.max(prefix.length + suffix.length + 1, Math.min(maxTokens, modelMax));
		return new TextTokenizer(tokenizer, budget, side, padId, prefix, suffix);
	}

	/** Token ids of one text, specials included, cut to the budget with the closing specials kept. */
	encode(text: string): {ids: number[]; truncated: boolean} {
		const ids = this.tokenizer.encode(text);
		if (ids.length <= this.maxTokens) {
			return {ids, truncated: false};
		}

		const bodyLength = this.maxTokens - this.prefix.length - this.suffix.length;
		const body = ids.slice(this.prefix.length, this.prefix.length + bodyLength);
		return {ids: [...this.prefix, ...body, ...this.suffix], truncated: true};
	}

	/** Pads already-encoded texts into one batch. */
	pad(encoded: ReadonlyArray<readonly number[]>): Omit<TokenizedBatch, 'truncatedCount'> {
		const batchSize = encoded.length;
		const sequenceLength = Math.max(1, ...encoded.map(ids => ids.length));
		const inputIds = new BigInt64Array(batchSize * sequenceLength).fill(BigInt(this.padId));
		const attentionMask = new BigInt64Array(batchSize * sequenceLength);
		for (const [row, ids] of encoded.entries()) {
			const offset = row * sequenceLength + (this.paddingSide === 'left' ? sequenceLength - ids.length : 0);
			for (const [column, id] of ids.entries()) {
				inputIds[offset + column] = BigInt(id);
				attentionMask[offset + column] = 1n;
			}
		}

		return {inputIds, attentionMask, batchSize, sequenceLength, tokenCounts: encoded.map(ids => ids.length)};
	}

	/**
	 * Like tokenize, but yields to the event loop whenever it has worked for `sliceMs`: a batch of
	 * long texts takes tens of milliseconds to tokenise, which would stall a live dashboard.
	 */
	async tokenizeAsync(texts: readonly string[], sliceMs = 8): Promise<TokenizedBatch> {
		const encoded = await this.encodeAsync(texts, sliceMs);
		return {...this.pad(encoded.map(item => item.ids)), truncatedCount: encoded.filter(item => item.truncated).length};
	}

	/** encode for many texts, yielding to the event loop every `sliceMs`. */
	async encodeAsync(texts: readonly string[], sliceMs = 8): Promise<Array<{ids: number[]; truncated: boolean}>> {
		const encoded: Array<{ids: number[]; truncated: boolean}> = [];
		let sliceStart = performance.now();
		for (const text of texts) {
			encoded.push(this.encode(text));
			if (performance.now() - sliceStart > sliceMs) {
				await new Promise(resolve => setImmediate(resolve));
				sliceStart = performance.now();
			}
		}

		return encoded;
	}

	tokenize(texts: readonly string[]): TokenizedBatch {
		let truncatedCount = 0;
		const encoded = texts.map(text => {
			const result = this.encode(text);
			if (result.truncated) {
				truncatedCount++;
			}

			return result.ids;
		});
		return {...this.pad(encoded), truncatedCount};
	}
}

function findSubarray(haystack: readonly number[], needle: readonly number[]): number {
	outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
		for (const [index, value] of needle.entries()) {
			if (haystack[start + index] !== value) {
				continue outer;
			}
		}

		return start;
	}

	return -1;
}
