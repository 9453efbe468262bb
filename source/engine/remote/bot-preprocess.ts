/**
 * CALL POINT for the bot's text rule `" ".join(text.split())[:512]` (PigPig `_preprocess_text`).
 * MERGE NOTE: the rule's home is `source/engine/text/bot-text.ts` (branch wt-realmodel, function
 * `preprocessForBot`). It is not on this branch, so this file carries an identical copy; at merge,
 * replace the body below with `export {preprocessForBot as botPreprocess} from '../text/bot-text.js';`.
 * The rule is idempotent, so applying it again to text the engine already preprocessed is harmless.
 */

/** Python's `str.isspace()` code points (JavaScript's `\s` differs: U+FEFF in, U+001C–U+001F and U+0085 out). */
const pythonWhitespace = new Set<number>([
	0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x16_80,
	0x20_00, 0x20_01, 0x20_02, 0x20_03, 0x20_04, 0x20_05, 0x20_06, 0x20_07, 0x20_08, 0x20_09, 0x20_0A,
	0x20_28, 0x20_29, 0x20_2F, 0x20_5F, 0x30_00,
]);

/** `" ".join(text.split())[:limit]`, counting code points as Python does. */
export function botPreprocess(text: string, limit = 512): string {
	let out = '';
	let kept = 0;
	let pendingSpace = false;
	for (const char of text) {
		if (kept >= limit) {
			break;
		}

		if (pythonWhitespace.has(char.codePointAt(0)!)) {
			pendingSpace = out.length > 0;
			continue;
		}

		if (pendingSpace) {
			out += ' ';
			kept++;
			pendingSpace = false;
			if (kept >= limit) {
				break;
			}
		}

		out += char;
		kept++;
	}

	return out;
}
