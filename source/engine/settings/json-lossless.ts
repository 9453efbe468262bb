/**
 * A JSON parser for the bot's settings.json that (1) reports syntax errors the way Python's json
 * module does (`Expecting ',' delimiter: line 3 column 2 (char 11)`), as the guide's
 * `python -m json.tool settings.json` shows users, and (2) keeps integers beyond 2^53 (Discord
 * snowflake ids) exactly, so a rewrite never changes a value the tool did not mean to touch.
 */

/** An integer too large for a double, kept as its source text. */
export class LosslessNumber {
	constructor(readonly text: string) {}

	valueOf(): number {
		return Number(this.text);
	}
}

export type JsonValue = null | boolean | number | string | LosslessNumber | JsonValue[] | {[key: string]: JsonValue};

export type JsonSyntaxProblem = {
	message: string;
	offset: number;
	line: number;
	column: number;
};

export class JsonScanError extends Error {
	constructor(
		message: string,
		readonly offset: number,
	) {
		super(message);
	}
}

const whitespace = new Set([' ', '\t', '\n', '\r']);
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

class Scanner {
	offset = 0;

	constructor(private readonly text: string) {}

	skipWhitespace(): void {
		while (this.offset < this.text.length && whitespace.has(this.text[this.offset]!)) {
			this.offset++;
		}
	}

	value(): JsonValue {
		this.skipWhitespace();
		const char = this.text[this.offset];
		if (char === '{') {
			return this.object();
		}

		if (char === '[') {
			return this.array();
		}

		if (char === '"') {
			return this.string();
		}

		return this.literal();
	}

	private literal(): JsonValue {
		for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
			if (this.text.startsWith(word, this.offset)) {
				this.offset += word.length;
				return value;
			}
		}

		numberPattern.lastIndex = this.offset;
		const match = numberPattern.exec(this.text);
		if (!match) {
			throw new JsonScanError('Expecting value', this.offset);
		}

		this.offset += match[0].length;
		const number = Number(match[0]);
		const isUnsafeInteger = /^-?\d+$/.test(match[0]) && !Number.isSafeInteger(number);
		return isUnsafeInteger ? new LosslessNumber(match[0]) : number;
	}

	private string(): string {
		const start = this.offset;
		this.offset++;
		while (this.offset < this.text.length) {
			const char = this.text[this.offset]!;
			if (char === '"') {
				this.offset++;
				return JSON.parse(this.text.slice(start, this.offset)) as string;
			}

			if (char === '\\') {
				this.escape(start);
			} else if (char < ' ') {
				throw new JsonScanError('Invalid control character at', this.offset);
			} else {
				this.offset++;
			}
		}

		throw new JsonScanError('Unterminated string starting at', start);
	}

	private escape(start: number): void {
		const next = this.text[this.offset + 1];
		if (next === undefined) {
			throw new JsonScanError('Unterminated string starting at', start);
		}

		if (next === 'u') {
			if (!/^[\da-fA-F]{4}$/.test(this.text.slice(this.offset + 2, this.offset + 6))) {
				throw new JsonScanError('Invalid \\uXXXX escape', this.offset + 1);
			}

			this.offset += 6;
			return;
		}

		if (!'"\\/bfnrt'.includes(next)) {
			throw new JsonScanError('Invalid \\escape', this.offset);
		}

		this.offset += 2;
	}

	private object(): Record<string, JsonValue> {
		const result: Record<string, JsonValue> = {};
		this.offset++;
		this.skipWhitespace();
		if (this.text[this.offset] === '}') {
			this.offset++;
			return result;
		}

		for (;;) {
			this.skipWhitespace();
			if (this.text[this.offset] !== '"') {
				throw new JsonScanError('Expecting property name enclosed in double quotes', this.offset);
			}

			const key = this.string();
			this.skipWhitespace();
			if (this.text[this.offset] !== ':') {
				throw new JsonScanError('Expecting \':\' delimiter', this.offset);
			}

			this.offset++;
			// defineProperty keeps a "__proto__" key as plain data, as Python would.
			Object.defineProperty(result, key, {value: this.value(), enumerable: true, writable: true, configurable: true});
			this.skipWhitespace();
			const char = this.text[this.offset];
			this.offset++;
			if (char === '}') {
				return result;
			}

			if (char !== ',') {
				throw new JsonScanError('Expecting \',\' delimiter', this.offset - 1);
			}
		}
	}

	private array(): JsonValue[] {
		const result: JsonValue[] = [];
		this.offset++;
		this.skipWhitespace();
		if (this.text[this.offset] === ']') {
			this.offset++;
			return result;
		}

		for (;;) {
			result.push(this.value());
			this.skipWhitespace();
			const char = this.text[this.offset];
			this.offset++;
			if (char === ']') {
				return result;
			}

			if (char !== ',') {
				throw new JsonScanError('Expecting \',\' delimiter', this.offset - 1);
			}
		}
	}
}

function lineAndColumn(text: string, offset: number): {line: number; column: number} {
	const before = text.slice(0, offset);
	const line = before.split('\n').length;
	const column = offset - (before.lastIndexOf('\n') + 1) + 1;
	return {line, column};
}

export type JsonParseResult = {ok: true; value: JsonValue} | {ok: false; problem: JsonSyntaxProblem};

/** Parses `text`; a syntax error comes back as a problem with Python's message and position. */
export function parseJsonLossless(text: string): JsonParseResult {
	const scanner = new Scanner(text);
	try {
		const value = scanner.value();
		scanner.skipWhitespace();
		if (scanner.offset < text.length) {
			throw new JsonScanError('Extra data', scanner.offset);
		}

		return {ok: true, value};
	} catch (error) {
		if (!(error instanceof JsonScanError)) {
			throw error;
		}

		return {ok: false, problem: {message: error.message, offset: error.offset, ...lineAndColumn(text, error.offset)}};
	}
}

/** JSON text with two-space indentation; LosslessNumbers are written back exactly as read. */
export function stringifyJsonLossless(value: unknown): string {
	const marker = `__qwen3_migrate_lossless_${Math.random().toString(36).slice(2)}_`;
	const numbers: string[] = [];
	const text = JSON.stringify(
		value,
		(_key, item: unknown) => {
			if (item instanceof LosslessNumber) {
				numbers.push(item.text);
				return `${marker}${numbers.length - 1}`;
			}

			return item;
		},
		2,
	);
	return numbers.length === 0 ? text : text.replaceAll(new RegExp(`"${marker}(\\d+)"`, 'g'), (_match, index: string) => numbers[Number(index)]!);
}

/** Python's wording: `Expecting ',' delimiter: line 3 column 2 (char 11)`. */
export function formatJsonSyntaxProblem(problem: JsonSyntaxProblem): string {
	return `${problem.message}: line ${problem.line} column ${problem.column} (char ${problem.offset})`;
}
