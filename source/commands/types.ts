/** What every subcommand module provides, and what it receives when run. */
import type {Writable} from 'node:stream';

export type FlagType = 'string' | 'boolean' | 'number';

export type FlagSpec = {
	type: FlagType;
	shortFlag?: string;
	default?: string | boolean | number;
	isMultiple?: boolean;
	choices?: readonly string[];
	aliases?: string[];
};

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

export type ParsedArguments = {
	input: string[];
	flags: Record<string, unknown>;
};

export type Command = {
	name: string;
	/** One line for the command list. */
	summary: string;
	/** Usage / Options / Examples, shown by `--help`. */
	help: string;
	flags: Record<string, FlagSpec>;
	run: (arguments_: ParsedArguments, context: CommandContext) => Promise<number>;
};
