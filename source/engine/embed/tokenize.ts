/**
 * Tokenises texts for the embedding worker. The tool truncates by itself to a token budget and
 * keeps the closing special token (EOS for Qwen3, [SEP] for BERT), because the pipeline's own
 * truncation cuts the EOS that last-token pooling reads. Padding follows the tokenizer's side.
 */
import {AutoTokenizer, type PreTrainedTokenizer} from '@huggingface/transformers';
import {preprocessForBot} from '../text/bot-text.js';

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

/**
 * 'bot': the bot's own rule (whitespace collapsed, 512 code points) before tokenising, so that a
 * stored vector is the bot's. 'raw': the text as given (the model card's golden check embeds a
 * query with a newline in its instruction, which the bot's rule would turn into a space).
 */
export type TextRule = 'bot' | 'raw';

/** What padding and truncation need to know about a tokenizer (plain data: it crosses threads). */
export type TokenizerShape = {
	maxTokens: number;
	paddingSide: 'left' | 'right';
	padId: number;
	/** Special tokens the post-processor puts before and after a text. */
	prefix: number[];
	suffix: number[];
	textRule: TextRule;
};

export type EncodedText = {ids: number[]; truncated: boolean};

/** Pads already-encoded texts into one batch. */
export function padBatch(shape: TokenizerShape, encoded: ReadonlyArray<readonly number[]>): Omit<TokenizedBatch, 'truncatedCount'> {
	const batchSize = encoded.length;
	const sequenceLength = Math.max(1, ...encoded.map(ids => ids.length));
	const inputIds = new BigInt64Array(batchSize * sequenceLength).fill(BigInt(shape.padId));
	const attentionMask = new BigInt64Array(batchSize * sequenceLength);
	for (const [row, ids] of encoded.entries()) {
		const offset = row * sequenceLength + (shape.paddingSide === 'left' ? sequenceLength - ids.length : 0);
		for (const [column, id] of ids.entries()) {
			inputIds[offset + column] = BigInt(id);
			attentionMask[offset + column] = 1n;
		}
	}

	return {inputIds, attentionMask, batchSize, sequenceLength, tokenCounts: encoded.map(ids => ids.length)};
}

/**
 * The tokenizer itself. Loading a real one (Qwen3's tokenizer.json is ~11 MB) takes about a
 * second of CPU, so the engine runs it in the tokenizer worker; this class is what runs there
 * (and in scripts and tests that tokenise directly).
 */
export class TextTokenizer {
	private constructor(
		private readonly tokenizer: PreTrainedTokenizer,
		readonly shape: TokenizerShape,
	) {}

	/** Loads the tokenizer for `modelName` (as configured by configureTransformers). */
	static async load(modelName: string, maxTokens: number, options: {paddingSide?: 'left' | 'right'; textRule?: TextRule} = {}): Promise<TextTokenizer> {
		const {paddingSide, textRule = 'bot'} = options;
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
		return new TextTokenizer(tokenizer, {maxTokens: budget, paddingSide: side, padId, prefix, suffix, textRule});
	}

	/** Token ids of one text, specials included, cut to the budget with the closing specials kept. */
	encode(text: string): EncodedText {
		const ids = this.tokenizer.encode(this.shape.textRule === 'bot' ? preprocessForBot(text) : text);
		const {maxTokens, prefix, suffix} = this.shape;
		if (ids.length <= maxTokens) {
			return {ids, truncated: false};
		}

		const bodyLength = maxTokens - prefix.length - suffix.length;
		const body = ids.slice(prefix.length, prefix.length + bodyLength);
		return {ids: [...prefix, ...body, ...suffix], truncated: true};
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
		return {...padBatch(this.shape, encoded), truncatedCount};
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
