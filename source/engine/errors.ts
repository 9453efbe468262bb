/** Error classes that carry an exit code, a one-line fix hint and the original cause. */

export type ErrorCode =
	| 'usage'
	| 'settings-missing'
	| 'settings-syntax'
	| 'settings-invalid'
	| 'workspace-missing'
	| 'database-missing'
	| 'database-corrupt'
	| 'database-schema'
	| 'database-busy'
	| 'vector-blob'
	| 'model-load'
	| 'model-run'
	/** An embedding server (`--endpoint`) failed, was refused by the probe, or none is left. */
	| 'endpoint'
	| 'native-module'
	| 'index'
	| 'migration-locked'
	| 'migration-state'
	| 'disk-space'
	| 'disk-full'
	| 'aborted'
	| 'internal';

/** Exit codes: 0 fine, 1 problems found / run failed, 2 usage or configuration error. */
export const exitCodes = {
	ok: 0,
	problems: 1,
	config: 2,
	aborted: 130,
} as const;

export class AppError extends Error {
	readonly code: ErrorCode;
	readonly exitCode: number;
	readonly hint: string | undefined;

	constructor(code: ErrorCode, message: string, options: {hint?: string; cause?: unknown; exitCode?: number} = {}) {
		super(message, {cause: options.cause});
		this.name = 'AppError';
		this.code = code;
		this.hint = options.hint;
		this.exitCode = options.exitCode ?? exitCodes.problems;
	}
}

/** Wrong flags, arguments or paths given on the command line. */
export class UsageError extends AppError {
	constructor(message: string, hint?: string) {
		super('usage', message, {hint, exitCode: exitCodes.config});
		this.name = 'UsageError';
	}
}

/** settings.json is missing, unparsable or holds invalid values. */
export class SettingsError extends AppError {
	constructor(code: 'settings-missing' | 'settings-syntax' | 'settings-invalid', message: string, hint: string, cause?: unknown) {
		super(code, message, {hint, cause, exitCode: exitCodes.config});
		this.name = 'SettingsError';
	}
}

export class DatabaseError extends AppError {
	constructor(
		code: 'database-missing' | 'database-corrupt' | 'database-schema' | 'database-busy' | 'vector-blob',
		message: string,
		options: {hint?: string; cause?: unknown; exitCode?: number} = {},
	) {
		super(code, message, {exitCode: exitCodes.config, ...options});
		this.name = 'DatabaseError';
	}
}

export class ModelLoadError extends AppError {
	constructor(message: string, hint: string, cause?: unknown) {
		super('model-load', message, {hint, cause, exitCode: exitCodes.problems});
		this.name = 'ModelLoadError';
	}
}

/**
 * The disk filled up under a write (ENOSPC, SQLite's "database or disk is full"). A clean stop:
 * every committed batch is kept and `migrate` resumes once space is freed.
 */
export class DiskFullError extends AppError {
	constructor(volume: string, needMore: string, cause?: unknown) {
		super('disk-full', `disk full on ${volume}: need about ${needMore} more`, {
			hint: `free space on ${volume} (old logs, the model cache data/memory/models, old backups), then run \`qwen3-migrate migrate\` again: it resumes from the last commit, nothing was lost`,
			cause,
			exitCode: exitCodes.problems,
		});
		this.name = 'DiskFullError';
	}
}

/** Whether an error (from fs, SQLite, FAISS or a worker) means the disk is full. */
export function isDiskFull(error: unknown): boolean {
	if (error instanceof DiskFullError) {
		return true;
	}

	const code = (error as {code?: unknown} | undefined)?.code;
	if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') {
		return true;
	}

	return /ENOSPC|No space left on device|database or disk is full|SQLITE_FULL|Disk quota exceeded/i.test(errorMessage(error));
}

/** The message of any thrown value, for logs and one-line reports. */
export function errorMessage(error: unknown): string {
	if (error instanceof Error) {
		return error.message;
	}

	return String(error);
}
