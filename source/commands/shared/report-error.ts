/** The one top-level error printer: a line with the problem, a line with the fix. */
import type {Writable} from 'node:stream';
import {AppError, exitCodes} from '../../engine/errors.js';

function causeChain(error: unknown): string {
	const lines: string[] = [];
	let current: unknown = error;
	while (current instanceof Error) {
		lines.push(current.stack ?? current.message);
		current = current.cause;
	}

	return lines.join('\ncaused by: ');
}

export function reportError(error: unknown, stderr: Writable, debug: boolean): number {
	if (error instanceof AppError) {
		stderr.write(`qwen3-migrate: ${error.message}\n`);
		if (error.hint) {
			stderr.write(`  fix: ${error.hint}\n`);
		}

		if (debug) {
			stderr.write(`${causeChain(error)}\n`);
		}

		return error.exitCode;
	}

	const message = error instanceof Error ? error.message : String(error);
	stderr.write(`qwen3-migrate: unexpected error: ${message.split('\n')[0]}\n`);
	stderr.write(debug ? `${causeChain(error)}\n` : '  run again with --debug to see the stack trace, and include it in a bug report\n');
	return exitCodes.problems;
}
