/**
 * Token counts for the engine's batch planner when the model runs elsewhere: the target model's
 * own tokenizer when its files are in the workspace (exact, same dedup keys as the local run), and
 * otherwise an estimate. The estimate errs high, so a token budget is never exceeded by much:
 * ASCII ≈ 1 token per 3 characters, CJK and other scripts ≈ 1 per character, plus EOS.
 * Its "ids" are a hash of the text padded to the estimated length, so the planner's duplicate
 * detection (which compares ids) still finds exactly the identical texts.
 */
import {createHash} from 'node:crypto';
import {modelFilesPresent, type ModelSource} from '../embed/model-source.js';
import {padBatch, type EncodedText, type TokenizedBatch} from '../embed/tokenize.js';
import {RemoteTokenizer} from '../embed/tokenizer-client.js';

export type TokenCounter = {
	readonly kind: 'tokenizer' | 'estimate';
	encode: (texts: readonly string[]) => Promise<EncodedText[]>;
	padEncoded: (encoded: ReadonlyArray<{ids: readonly number[]; truncated: boolean}>) => TokenizedBatch;
	close: () => Promise<void>;
};

export function estimateTokens(text: string): number {
	let ascii = 0;
	let other = 0;
	for (const char of text) {
		if (char.codePointAt(0)! < 0x80) {
			ascii++;
		} else {
			other++;
		}
	}

	return Math.ceil(ascii / 3) + other + 1;
}

const hashWords = 4;

export class EstimatedTokenCounter implements TokenCounter {
	readonly kind = 'estimate';
	private readonly shape;

	constructor(private readonly maxTokens: number) {
		this.shape = {maxTokens, paddingSide: 'left' as const, padId: 0, prefix: [], suffix: [], textRule: 'bot' as const};
	}

	encode(texts: readonly string[]): Promise<EncodedText[]> {
		return Promise.resolve(this.encodeNow(texts));
	}

	private encodeNow(texts: readonly string[]): EncodedText[] {
		return texts.map(text => {
			const digest = createHash('sha256').update(text).digest();
			const length = Math.min(this.maxTokens, Math.max(hashWords, estimateTokens(text)));
			const ids = Array.from({length}, (_value, index) => (index < hashWords ? digest.readUInt32LE(index * 4) : 0));
			// The server sees the whole text; whether it truncates is its business, not counted here.
			return {ids, truncated: false};
		});
	}

	padEncoded(encoded: ReadonlyArray<{ids: readonly number[]; truncated: boolean}>): TokenizedBatch {
		return {...padBatch(this.shape, encoded.map(item => item.ids)), truncatedCount: 0};
	}

	async close(): Promise<void> {
		// Nothing to release.
	}
}

/** The workspace's tokenizer in its worker thread when the files are there, else the estimate. */
export async function openTokenCounter(source: ModelSource | undefined, maxTokens: number): Promise<TokenCounter> {
	if (!source || !modelFilesPresent(source)) {
		return new EstimatedTokenCounter(maxTokens);
	}

	const tokenizer = await RemoteTokenizer.load(source, maxTokens);
	return {
		kind: 'tokenizer',
		encode: async texts => tokenizer.encode(texts),
		padEncoded: encoded => tokenizer.padEncoded(encoded),
		close: async () => tokenizer.close(),
	};
}
