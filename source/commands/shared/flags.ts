/** Flags that mean the same in every subcommand, and the range checks several of them share. */
import {UsageError} from '../../engine/errors.js';

export const workspaceFlag = {
	workspace: {type: 'string', short: 'w', valueName: 'DIR', default: '.', description: 'The bot\'s directory (holds settings.json and data/memory). Default: .'},
} as const;

export const jsonFlag = {
	json: {type: 'boolean', default: false, description: 'Print one JSON document instead of text (for scripts)'},
} as const;

export const debugFlag = {
	debug: {type: 'boolean', default: false, description: 'Show stack traces of errors'},
} as const;

export const outputFlags = {...jsonFlag, ...debugFlag} as const;

/** `--yes, -y`; the description says what is skipped, which differs per command. */
export function yesFlag(description: string) {
	return {yes: {type: 'boolean', short: 'y', default: false, description}} as const;
}

/** A `validate` for integer flags: the one-line error names the flag, the range and the value. */
export function integerIn(label: string, min: number, max: number, example: string): (value: number) => void {
	return value => {
		if (!Number.isInteger(value) || value < min || value > max) {
			throw new UsageError(`${label}: expected an integer from ${min} to ${max}, received ${value}`, example);
		}
	};
}

/** A `validate` for counts that may be zero and have no upper bound. */
export function wholeNumber(label: string, example: string): (value: number) => void {
	return value => {
		if (!Number.isInteger(value) || value < 0) {
			throw new UsageError(`${label}: expected a whole number, received ${value}`, example);
		}
	};
}

/** `--batch-size N`: messages per model call, for the commands that run or plan a migration. */
export function batchSizeFlag(description: string) {
	return {batchSize: {type: 'number', valueName: 'N', validate: integerIn('--batch-size', 1, 4096, 'e.g. --batch-size 32'), description}} as const;
}

/**
 * `--endpoint URL` (repeatable, and comma-separated for several; settings: migration.endpoints) and
 * `--remote-model NAME`, for the commands that run, plan or check a migration through embedding servers.
 */
export const endpointFlags = {
	endpoint: {type: 'string', valueName: 'URL', repeatable: true, description: 'Embed through OpenAI-compatible servers (a base URL; repeat it or comma-separate\nfor several, e.g. --endpoint http://gpu1:8000/v1 --endpoint http://gpu2:8000/v1);\nkey from OPENAI_API_KEY'},
	remoteModel: {type: 'string', valueName: 'NAME', description: 'The servers\' name for the target model (default: from GET /models)'},
} as const;

/**
 * The endpoint flags as the engine takes them: every `--endpoint` value joined with commas (the
 * engine splits, validates and drops duplicates), or undefined when none was given so that
 * settings' migration.endpoints apply.
 */
export function remoteFlagValues(flags: {endpoint: readonly string[]; remoteModel: string | undefined}): {endpoint: string | undefined; remoteModel: string | undefined} {
	return {endpoint: flags.endpoint.length > 0 ? flags.endpoint.join(',') : undefined, remoteModel: flags.remoteModel};
}

/** Commands that take no positional arguments say so in one line. */
export function rejectArguments(input: readonly string[]): void {
	if (input.length > 0) {
		throw new UsageError(`unexpected argument "${input[0]}"`, 'pass the workspace with --workspace DIR');
	}
}
