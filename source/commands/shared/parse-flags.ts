/**
 * Turns a command's argv into its positional arguments and typed flag values, from the command's
 * own flag declarations. Every mistake (an unknown flag, a missing value, a value of the wrong
 * type or outside the choices, a flag given twice unless it is declared repeatable) is a one-line
 * UsageError naming the flag, so the command exits 2 before it touches anything.
 */
import {UsageError} from '../../engine/errors.js';
import {kebabCase, type FlagDeclaration, type FlagDeclarations, type FlagValue, type FlagValues} from './flag-types.js';

type Spelling = {name: string; declaration: FlagDeclaration; negated: boolean};

export type ParsedArguments<Flags extends FlagDeclarations> = {
	input: string[];
	flags: FlagValues<Flags>;
};

const negativeNumber = /^-(?:\d+|\d*\.\d+)(?:e[+-]?\d+)?$/i;

/** Every spelling a user may type (`--batch-size`, `--batchSize`, aliases, `--no-ui`, `-y`) → its flag. */
function spellings(declarations: FlagDeclarations): Map<string, Spelling> {
	const known = new Map<string, Spelling>();
	for (const [name, declaration] of Object.entries(declarations)) {
		for (const long of new Set([kebabCase(name), name, ...(declaration.aliases ?? [])])) {
			known.set(`--${long}`, {name, declaration, negated: false});
			if (declaration.type === 'boolean') {
				known.set(`--no-${long}`, {name, declaration, negated: true});
			}
		}

		if (declaration.short) {
			known.set(`-${declaration.short}`, {name, declaration, negated: false});
		}
	}

	return known;
}

function convert(label: string, declaration: FlagDeclaration, text: string): string | number | boolean {
	if (declaration.type === 'number') {
		const value = text.trim() === '' ? Number.NaN : Number(text);
		if (!Number.isFinite(value)) {
			throw new UsageError(`${label}: expected a number, received ${JSON.stringify(text)}`, `e.g. ${label} ${declaration.default ?? 10}`);
		}

		declaration.validate?.(value);
		return value;
	}

	if (declaration.type === 'string' && declaration.choices && !declaration.choices.includes(text)) {
		throw new UsageError(`${label}: expected one of ${declaration.choices.join(', ')}, received ${JSON.stringify(text)}`, `e.g. ${label} ${declaration.choices[0] ?? ''}`);
	}

	if (declaration.type === 'boolean') {
		if (text !== 'true' && text !== 'false') {
			throw new UsageError(`${label}: takes no value, received ${JSON.stringify(text)}`, `pass ${label} alone (or --no-${label.slice(2)})`);
		}

		return text === 'true';
	}

	return text;
}

/** Checks at run time what the handler's type promises: each declared flag has a value of its type. */
function conformsTo<Flags extends FlagDeclarations>(declarations: Flags, values: unknown): values is FlagValues<Flags> {
	if (typeof values !== 'object' || values === null) {
		return false;
	}

	return Object.entries(declarations).every(([name, declaration]) => {
		const value: unknown = Object.getOwnPropertyDescriptor(values, name)?.value;
		if (value === undefined) {
			return declaration.type !== 'boolean' && declaration.default === undefined;
		}

		const isValue = (item: unknown) => (declaration.type === 'string' && declaration.choices ? typeof item === 'string' && declaration.choices.includes(item) : typeof item === declaration.type);
		if (declaration.type === 'string' && declaration.repeatable) {
			return Array.isArray(value) && value.every(item => isValue(item));
		}

		return isValue(value);
	});
}

/** Parses `argv` (the words after the command name) against the command's declared flags. */
export function parseArguments<Flags extends FlagDeclarations>(command: string, declarations: Flags, argv: readonly string[]): ParsedArguments<Flags> {
	const known = spellings(declarations);
	const input: string[] = [];
	const given = new Map<string, FlagValue>();
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		if (argument === '--') {
			input.push(...argv.slice(index + 1));
			break;
		}

		if (!argument.startsWith('-') || argument === '-' || negativeNumber.test(argument)) {
			input.push(argument);
			continue;
		}

		const equals = argument.indexOf('=');
		const spelled = equals < 0 ? argument : argument.slice(0, equals);
		const flag = known.get(spelled);
		if (!flag) {
			throw new UsageError(`unknown option ${spelled} for "${command}"`, `run \`qwen3-migrate ${command} --help\` to see its options`);
		}

		const label = `--${kebabCase(flag.name)}`;
		const repeatable = flag.declaration.type === 'string' && flag.declaration.repeatable === true;
		if (given.has(flag.name) && !repeatable) {
			throw new UsageError(`${label} is given more than once`, `pass ${label} once`);
		}

		let text = equals < 0 ? undefined : argument.slice(equals + 1);
		if (text === undefined && flag.declaration.type !== 'boolean') {
			const next = argv[index + 1];
			if (next === undefined || (next.startsWith('-') && !negativeNumber.test(next))) {
				throw new UsageError(`${label} needs a value`, `e.g. ${label} ${flag.declaration.valueName}`);
			}

			text = next;
			index++;
		}

		const value = text === undefined ? true : convert(label, flag.declaration, text);
		if (repeatable) {
			const earlier = given.get(flag.name);
			given.set(flag.name, [...(typeof earlier === 'object' ? earlier : []), String(value)]);
		} else {
			given.set(flag.name, flag.negated ? !value : value);
		}
	}

	const absent = (declaration: FlagDeclaration) => (declaration.type === 'string' && declaration.repeatable ? [] : (declaration.default ?? (declaration.type === 'boolean' ? false : undefined)));
	const flags = Object.fromEntries(Object.entries(declarations).map(([name, declaration]) => [name, given.get(name) ?? absent(declaration)]));
	if (!conformsTo(declarations, flags)) {
		throw new Error(`internal: the flags of "${command}" do not match their declarations`);
	}

	return {input, flags};
}
