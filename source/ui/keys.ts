/**
 * Turns what Ink's useInput hands over into single key presses. Ink passes a whole read as one
 * `input` when it holds several plain characters ("bb", "qq", "rollbak\x7f"), so without this a
 * burst of keys counts as one unknown key and is lost.
 */

export type KeyPress =
	| {kind: 'char'; char: string}
	| {kind: 'return' | 'escape' | 'backspace' | 'kill-line' | 'interrupt' | 'page-down' | 'page-up' | 'tab'};

/** The subset of Ink's `Key` that matters here. */
export type InkKey = {
	escape?: boolean;
	return?: boolean;
	ctrl?: boolean;
	meta?: boolean;
	backspace?: boolean;
	delete?: boolean;
	pageDown?: boolean;
	pageUp?: boolean;
	tab?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
};

/** Control characters a terminal sends for keys, as they arrive inside a burst. */
function decodeCharacter(char: string): KeyPress | undefined {
	switch (char) {
		case '\r':
		case '\n': {
			return {kind: 'return'};
		}

		case '\u007F':
		case '\b': {
			return {kind: 'backspace'};
		}

		case '\u0015': {
			return {kind: 'kill-line'};
		}

		case '\u0003': {
			return {kind: 'interrupt'};
		}

		case '\u001B': {
			return {kind: 'escape'};
		}

		case '\t': {
			return {kind: 'tab'};
		}

		default: {
			// Other control characters (Ctrl+letters we do not use) are ignored rather than typed.
			return char < ' ' ? undefined : {kind: 'char', char};
		}
	}
}

/** One Ink input event → the key presses it holds, in order. */
export function decodeKeys(input: string, key: InkKey): KeyPress[] {
	if (key.ctrl && input === 'c') {
		return [{kind: 'interrupt'}];
	}

	if (key.ctrl && input === 'u') {
		return [{kind: 'kill-line'}];
	}

	if (key.ctrl) {
		return [];
	}

	// Ink reports the DEL byte (what Backspace sends in most terminals) as `delete`.
	if (key.backspace || key.delete) {
		return [{kind: 'backspace'}];
	}

	if (key.return) {
		return [{kind: 'return'}];
	}

	if (key.pageDown || key.rightArrow) {
		return [{kind: 'page-down'}];
	}

	if (key.pageUp || key.leftArrow) {
		return [{kind: 'page-up'}];
	}

	if (key.tab) {
		return [{kind: 'tab'}];
	}

	if (key.escape && input === '') {
		return [{kind: 'escape'}];
	}

	// Arrow keys and other escape sequences Ink did not name arrive as input starting with "[" or
	// "O" after Ink stripped the escape: those are not characters the user typed.
	if (key.meta && input.length > 1) {
		return [];
	}

	const presses: KeyPress[] = [];
	for (const char of input) {
		const press = decodeCharacter(char);
		if (press) {
			presses.push(press);
		}
	}

	return presses;
}
