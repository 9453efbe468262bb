/**
 * How a command declares its flags, and the typed values its handler receives. The declaration is
 * the single source for parsing, `--help` and unknown-flag rejection, so none of them can drift.
 */

type CommonFlag = {
	/** One line for `--help` (a `\n` continues it under the same column). */
	description: string;
	/** A one-letter form, e.g. `y` for `-y`. */
	short?: string;
	/** Other long names accepted for the same flag (without the dashes). */
	aliases?: readonly string[];
};

export type StringFlag = CommonFlag & {
	type: 'string';
	/** The placeholder shown in `--help`, e.g. `DIR`. */
	valueName: string;
	default?: string;
	/** When present, any other value is a usage error; the handler sees the union of these. */
	choices?: readonly string[];
	/**
	 * The flag may be given several times (`--endpoint a --endpoint b`); the handler receives every
	 * value in order as a list (empty when absent), and no default applies. Other flags refuse a repeat.
	 */
	repeatable?: boolean;
};

export type NumberFlag = CommonFlag & {
	type: 'number';
	valueName: string;
	default?: number;
	/** Throws a UsageError naming the flag when the number is out of range (see `integerIn`). */
	validate?: (value: number) => void;
};

export type BooleanFlag = CommonFlag & {
	type: 'boolean';
	/** A boolean flag always has a value: false unless given. With `true`, help shows `--no-NAME`. */
	default?: boolean;
};

export type FlagDeclaration = StringFlag | NumberFlag | BooleanFlag;

export type FlagDeclarations = Readonly<Record<string, FlagDeclaration>>;

export type FlagValue = string | number | boolean | readonly string[];

/** One occurrence's value: a choice union, string, number or boolean. */
type SingleValueOf<Flag> = Flag extends {type: 'boolean'}
	? boolean
	: Flag extends {type: 'number'}
		? number
		: Flag extends {choices: ReadonlyArray<infer Choice>}
			? Choice
			: string;

/** The value one declaration produces: a list of single values when the flag is repeatable. */
type ValueOf<Flag> = Flag extends {repeatable: true} ? ReadonlyArray<SingleValueOf<Flag>> : SingleValueOf<Flag>;

/** Booleans, repeatable flags (a list, maybe empty) and flags with a default always have a value; the others may be absent. */
type AlwaysPresent<Flag> = Flag extends {type: 'boolean'} ? true : Flag extends {repeatable: true} ? true : Flag extends {default: string | number} ? true : false;

/** What the handler receives: one typed property per declared flag. */
export type FlagValues<Flags extends FlagDeclarations> = {
	readonly [Name in keyof Flags]: AlwaysPresent<Flags[Name]> extends true ? ValueOf<Flags[Name]> : ValueOf<Flags[Name]> | undefined;
};

/** `batchSize` → `batch-size`: the spelling users type and `--help` shows. */
export function kebabCase(name: string): string {
	return name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
}
