/**
 * A bound on JSON nesting, checked by a flat scan before the (recursive) parser runs: a settings
 * file nested thousands deep would otherwise overflow the stack and end in a RangeError trace.
 */

/** Deeper than any real settings file; Python's json.tool gives up near 1,000. */
export const maxJsonDepth = 512;

/** The offset where nesting first exceeds `limit`, or undefined. Strings are skipped. */
export function offsetBeyondDepth(text: string, limit = maxJsonDepth): number | undefined {
	let depth = 0;
	let inString = false;
	for (let offset = 0; offset < text.length; offset++) {
		const char = text[offset];
		if (inString) {
			if (char === '\\') {
				offset++;
			} else if (char === '"') {
				inString = false;
			}
		} else if (char === '"') {
			inString = true;
		} else if (char === '[' || char === '{') {
			if (++depth > limit) {
				return offset;
			}
		} else if (char === ']' || char === '}') {
			depth--;
		}
	}

	return undefined;
}
