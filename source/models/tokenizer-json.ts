/**
 * tokenizer.json files in the Hugging Face `tokenizers` format for the generated models: a BERT
 * WordPiece tokenizer (the old model) and a Qwen2-style byte-level BPE whose post-processor appends
 * `<|endoftext|>` (the new model). Both accept any Unicode: unknown words become [UNK], and the
 * byte-level BPE covers every byte.
 */

/** GPT-2's reversible byte → printable character map used by byte-level BPE. */
export function bytesToUnicode(): string[] {
	const printable: number[] = [];
	for (let code = 33; code <= 126; code++) {
		printable.push(code);
	}

	for (let code = 161; code <= 172; code++) {
		printable.push(code);
	}

	for (let code = 174; code <= 255; code++) {
		printable.push(code);
	}

	const map: string[] = [];
	let extra = 0;
	for (let byte = 0; byte < 256; byte++) {
		map[byte] = printable.includes(byte) ? String.fromCodePoint(byte) : String.fromCodePoint(256 + extra++);
	}

	return map;
}

function addedToken(id: number, content: string) {
	return {id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true};
}

export const bertSpecialTokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** A WordPiece vocabulary: specials, ASCII characters and their ## forms, then words and CJK chars. */
export function buildWordPieceTokenizer(trainingText: readonly string[]): {json: object; vocabSize: number} {
	const vocab = new Map<string, number>();
	const add = (token: string) => {
		if (!vocab.has(token)) {
			vocab.set(token, vocab.size);
		}
	};

	for (const token of bertSpecialTokens) {
		add(token);
	}

	for (let code = 33; code <= 126; code++) {
		const char = String.fromCodePoint(code).toLowerCase();
		add(char);
		add(`##${char}`);
	}

	for (const line of trainingText) {
		for (const word of line.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
			if (/^[a-z0-9]+$/.test(word)) {
				add(word);
			}
		}

		for (const char of line) {
			if (/[\p{Script=Han}\p{Extended_Pictographic}]/u.test(char)) {
				add(char);
			}
		}
	}

	const special = (token: string) => ({id: token, ids: [vocab.get(token)!], tokens: [token]});
	const json = {
		version: '1.0',
		truncation: null,
		padding: null,
		added_tokens: bertSpecialTokens.map(token => addedToken(vocab.get(token)!, token)),
		normalizer: {type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true},
		pre_tokenizer: {type: 'BertPreTokenizer'},
		post_processor: {
			type: 'TemplateProcessing',
			single: [{SpecialToken: {id: '[CLS]', type_id: 0}}, {Sequence: {id: 'A', type_id: 0}}, {SpecialToken: {id: '[SEP]', type_id: 0}}],
			pair: [
				{SpecialToken: {id: '[CLS]', type_id: 0}},
				{Sequence: {id: 'A', type_id: 0}},
				{SpecialToken: {id: '[SEP]', type_id: 0}},
				{Sequence: {id: 'B', type_id: 1}},
				{SpecialToken: {id: '[SEP]', type_id: 1}},
			],
			special_tokens: {'[CLS]': special('[CLS]'), '[SEP]': special('[SEP]')},
		},
		decoder: {type: 'WordPiece', prefix: '##', cleanup: true},
		model: {
			type: 'WordPiece',
			unk_token: '[UNK]',
			continuing_subword_prefix: '##',
			max_input_chars_per_word: 100,
			vocab: Object.fromEntries(vocab),
		},
	};
	return {json, vocabSize: vocab.size};
}

/** Qwen2's pre-tokenizer split pattern. */
const qwenSplitPattern =
	"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export const qwenEndOfText = '<|endoftext|>';
const qwenSpecialTokens = [qwenEndOfText, '<|im_start|>', '<|im_end|>'];

/**
 * Learns `mergeCount` BPE merges over the byte-level forms of the training words (the classic
 * greedy pair-count algorithm), so common words become single tokens as in a real vocabulary.
 */
function learnMerges(words: Map<string[], number>, mergeCount: number): Array<[string, string]> {
	const merges: Array<[string, string]> = [];
	let corpus = [...words.entries()];
	for (let step = 0; step < mergeCount; step++) {
		const pairs = new Map<string, number>();
		for (const [symbols, count] of corpus) {
			for (let index = 0; index + 1 < symbols.length; index++) {
				const key = `${symbols[index]}\u0000${symbols[index + 1]}`;
				pairs.set(key, (pairs.get(key) ?? 0) + count);
			}
		}

		let best: string | undefined;
		let bestCount = 1;
		for (const [key, count] of pairs) {
			if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
				best = key;
				bestCount = count;
			}
		}

		if (!best) {
			break;
		}

		const [left, right] = best.split('\u0000') as [string, string];
		merges.push([left, right]);
		corpus = corpus.map(([symbols, count]) => {
			const merged: string[] = [];
			for (let index = 0; index < symbols.length; index++) {
				if (symbols[index] === left && symbols[index + 1] === right) {
					merged.push(left + right);
					index++;
				} else {
					merged.push(symbols[index]!);
				}
			}

			return [merged, count];
		});
	}

	return merges;
}

export function buildByteLevelBpeTokenizer(trainingText: readonly string[], mergeCount = 300): {json: object; vocabSize: number; eosId: number} {
	const byteMap = bytesToUnicode();
	const encoder = new TextEncoder();
	const splitter = new RegExp(qwenSplitPattern.replace('(?i:', '(?:'), 'gu');
	const words = new Map<string, number>();
	for (const line of trainingText) {
		for (const match of line.matchAll(splitter)) {
			const word = [...encoder.encode(match[0])].map(byte => byteMap[byte]!).join('\u0001');
			words.set(word, (words.get(word) ?? 0) + 1);
		}
	}

	const merges = learnMerges(new Map([...words].map(([word, count]) => [word.split('\u0001'), count])), mergeCount);
	const vocab = new Map<string, number>();
	for (const char of byteMap) {
		vocab.set(char, vocab.size);
	}

	for (const [left, right] of merges) {
		if (!vocab.has(left + right)) {
			vocab.set(left + right, vocab.size);
		}
	}

	const specialIds = qwenSpecialTokens.map(token => {
		vocab.set(token, vocab.size);
		return vocab.get(token)!;
	});
	const eosId = specialIds[0]!;
	const json = {
		version: '1.0',
		truncation: null,
		padding: null,
		added_tokens: qwenSpecialTokens.map((token, index) => addedToken(specialIds[index]!, token)),
		normalizer: {type: 'NFC'},
		pre_tokenizer: {
			type: 'Sequence',
			pretokenizers: [
				{type: 'Split', pattern: {Regex: qwenSplitPattern}, behavior: 'Isolated', invert: false},
				{type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false},
			],
		},
		post_processor: {
			type: 'TemplateProcessing',
			single: [{Sequence: {id: 'A', type_id: 0}}, {SpecialToken: {id: qwenEndOfText, type_id: 0}}],
			pair: [
				{Sequence: {id: 'A', type_id: 0}},
				{SpecialToken: {id: qwenEndOfText, type_id: 0}},
				{Sequence: {id: 'B', type_id: 1}},
				{SpecialToken: {id: qwenEndOfText, type_id: 1}},
			],
			special_tokens: {[qwenEndOfText]: {id: qwenEndOfText, ids: [eosId], tokens: [qwenEndOfText]}},
		},
		decoder: {type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false},
		model: {
			type: 'BPE',
			dropout: null,
			unk_token: null,
			continuing_subword_prefix: '',
			end_of_word_suffix: '',
			fuse_unk: false,
			byte_fallback: false,
			ignore_merges: false,
			vocab: Object.fromEntries(vocab),
			merges: merges.map(([left, right]) => `${left} ${right}`),
		},
	};
	return {json, vocabSize: vocab.size, eosId};
}
