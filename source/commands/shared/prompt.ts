/** Asks one question on the terminal; used for confirmations when --yes is not given. */
import {createInterface} from 'node:readline/promises';
import {UsageError} from '../../engine/errors.js';
import type {CommandContext} from './define-command.js';

/**
 * Returns true when the user typed `expected` (case-insensitive). Without a terminal there is no
 * one to ask: the command must be run with --yes.
 */
export async function confirm(context: CommandContext, question: string, expected: string, command: string): Promise<boolean> {
	if (!context.interactive) {
		throw new UsageError(`${command} needs confirmation, and there is no terminal to ask`, `pass --yes to run \`qwen3-migrate ${command}\` without asking`);
	}

	const readline = createInterface({input: process.stdin, output: context.stderr});
	try {
		const answer = await readline.question(`${question} `);
		return answer.trim().toLowerCase() === expected.toLowerCase();
	} finally {
		readline.close();
	}
}
