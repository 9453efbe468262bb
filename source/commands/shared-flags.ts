/** Flags that mean the same in every subcommand. */
import {UsageError} from '../engine/errors.js';
import type {FlagSpec} from './types.js';

export const workspaceFlag: Record<string, FlagSpec> = {
	workspace: {type: 'string', shortFlag: 'w', default: '.'},
};

export const outputFlags: Record<string, FlagSpec> = {
	json: {type: 'boolean', default: false},
	debug: {type: 'boolean', default: false},
};

export const sharedHelp = {
	workspace: '--workspace, -w DIR  The bot\'s directory (holds settings.json and data/memory). Default: .',
	json: '--json               Print one JSON document instead of text (for scripts)',
	debug: '--debug              Show stack traces of errors',
	help: '--help, -h           Show this help',
};

/** Commands that take no positional arguments say so in one line. */
export function rejectArguments(input: readonly string[]): void {
	if (input.length > 0) {
		throw new UsageError(`unexpected argument "${input[0]}"`, 'pass the workspace with --workspace DIR');
	}
}

/** --batch-size: an integer from 1 to 4096, or undefined when not given. */
export function batchSizeFlag(value: unknown): number | undefined {
	if (value === undefined) {
		return undefined;
	}

	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 4096) {
		throw new UsageError(`--batch-size: expected an integer from 1 to 4096, received ${JSON.stringify(value) ?? typeof value}`, 'e.g. --batch-size 32');
	}

	return value;
}
