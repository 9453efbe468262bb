/**
 * The bot's text rule (PigPig `embedding_service.py`, `_preprocess_text`):
 * `" ".join(text.split())[:512]`, reproduced exactly so that a stored vector is the one the bot
 * itself would compute for the same message.
 */

/** How many code points the bot keeps (`text[:512]`). */
export const botMaxCodePoints = 512;

/**
 * Python's `str.split()` separators: exactly the code points for which `str.isspace()` is true
 * (bidi class WS/B/S or category Zs). JavaScript's `\s` differs (it includes U+FEFF and lacks
 * U+001C–U+001F and U+0085), so the set is spelled out; the test checks it against python3.
 */
const pythonWhitespace = new Set<number>([
	0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x16_80,
	0x20_00, 0x20_01, 0x20_02, 0x20_03, 0x20_04, 0x20_05, 0x20_06, 0x20_07, 0x20_08, 0x20_09, 0x20_0A,
	0x20_28, 0x20_29, 0x20_2F, 0x20_5F, 0x30_00,
]);

/** True for a code point Python's `str.split()` splits on. */
export function isPythonWhitespace(codePoint: number): boolean {
	return pythonWhitespace.has(codePoint);
}

/**
 * `" ".join(text.split())[:limit]`. Counts code points like Python does: a surrogate pair is one
 * code point and is never cut in half; a lone surrogate counts as one, as it would in Python.
 * Stops scanning once the limit is reached, so a huge message costs no more than 512 characters.
 */
export function preprocessForBot(text: string, limit = botMaxCodePoints): string {
	let out = '';
	let kept = 0;
	let pendingSpace = false;
	for (const char of text) {
		if (kept >= limit) {
			break;
		}

		if (pythonWhitespace.has(char.codePointAt(0)!)) {
			// A run of separators becomes one space, but only between two words (join, not strip).
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

/** The bot embeds nothing for a text that is empty after its rule (only whitespace). */
export function isBlankForBot(text: string): boolean {
	for (const char of text) {
		if (!pythonWhitespace.has(char.codePointAt(0)!)) {
			return false;
		}
	}

	return true;
}

/**
 * SQLite's TRIM character set for the same whitespace: `TRIM(x, <this>) = ''` is true exactly
 * when isBlankForBot(x) is, so queries that count or skip blank messages agree with the bot.
 */
export const pythonWhitespaceSqlCharacters = [...pythonWhitespace].map(codePoint => `char(${codePoint})`).join(' || ');

/** A SQL condition that is true when the text expression is blank for the bot (NULL counts as blank). */
export function botBlankSql(textExpression: string): string {
	return `TRIM(COALESCE(${textExpression}, ''), ${pythonWhitespaceSqlCharacters}) = ''`;
}
