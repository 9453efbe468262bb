/**
 * One call declares a subcommand: its flags (parsed, typed, and listed in `--help` from the same
 * declaration), its help text laid out as Usage / Options / Examples, and its typed handler.
 */
import type {Writable} from 'node:stream';
import {kebabCase, type FlagDeclaration, type FlagDeclarations} from './flag-types.js';
import {parseArguments, type ParsedArguments} from './parse-flags.js';

export type CommandContext = {
	stdout: Writable & {isTTY?: boolean; columns?: number; rows?: number};
	stderr: Writable;
	env: NodeJS.ProcessEnv;
	cwd: string;
	/** Both stdin and stdout are terminals: the dashboard may open. */
	interactive: boolean;
	/** Aborted by SIGINT/SIGTERM. */
	signal: AbortSignal;
};

export type CommandSpec<Flags extends FlagDeclarations> = {
	name: string;
	/** One line for the command list. */
	summary: string;
	/** Each a command line as typed after `$ `. */
	usage: readonly string[];
	/** Paragraphs between Usage and Options. */
	description: string;
	flags: Flags;
	/** Paragraphs between Options and Examples (exit codes, environment). */
	notes?: string;
	examples: readonly string[];
	run: (arguments_: ParsedArguments<Flags>, context: CommandContext) => Promise<number>;
};

/** What the dispatcher sees: the flags' types are known only inside `run`. */
export type Command = {
	name: string;
	summary: string;
	/** Usage / Options / Examples, shown by `--help`. */
	help: string;
	flags: FlagDeclarations;
	/** Parses the words after the command name, then runs the handler. */
	run: (argv: readonly string[], context: CommandContext) => Promise<number>;
};

/** The label column is as wide as the longest label we have (`--workspace, -w DIR`) plus two. */
const labelWidth = 19;

export function flagLabel(name: string, declaration: FlagDeclaration): string {
	const negated = declaration.type === 'boolean' && declaration.default === true;
	const short = declaration.short ? `, -${declaration.short}` : '';
	const value = declaration.type === 'boolean' ? '' : ` ${declaration.valueName}`;
	return `--${negated ? 'no-' : ''}${kebabCase(name)}${short}${value}`;
}

function optionLines(flags: FlagDeclarations): string {
	const continuation = `\n${' '.repeat(2 + labelWidth + 2)}`;
	return Object.entries(flags)
		.map(([name, declaration]) => `  ${flagLabel(name, declaration).padEnd(labelWidth)}  ${declaration.description.replaceAll('\n', continuation)}`)
		.join('\n');
}

export function renderHelp(spec: Pick<CommandSpec<FlagDeclarations>, 'usage' | 'description' | 'flags' | 'notes' | 'examples'>): string {
	const sections = [
		`Usage\n${spec.usage.map(line => `  $ ${line}`).join('\n')}`,
		spec.description.trim(),
		`Options\n${optionLines(spec.flags)}`,
		spec.notes?.trim(),
		`Examples\n${spec.examples.map(line => `  $ ${line}`).join('\n')}`,
	];
	return `${sections.filter(Boolean).join('\n\n')}\n`;
}

export function defineCommand<const Flags extends FlagDeclarations>(spec: CommandSpec<Flags>): Command {
	return {
		name: spec.name,
		summary: spec.summary,
		help: renderHelp(spec),
		flags: spec.flags,
		run: async (argv, context) => spec.run(parseArguments(spec.name, spec.flags, argv), context),
	};
}
