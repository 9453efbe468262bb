/**
 * Fault injection, for tests and demos on machines without a GPU: QWEN3_MIGRATE_FAULTS holds
 * comma-separated rules, checked before each model call and each commit.
 *
 *   oom@size>8          every model call with more than 8 texts fails with CUDA out of memory
 *   oom@device=cuda     every model call fails with out of memory while the model is on CUDA
 *   oom@batch>16        from the 17th model call on, calls larger than half the batch size in
 *                       effect at that moment fail with out of memory (halving fixes it)
 *   fail@message=<id>   every model call that contains message <id> fails (a poison message)
 *   slow@batch=3:2000   the 3rd model call waits 2000 ms first (a stall)
 *   busy@commit=2       the 2nd commit fails once with "database is locked"
 *   enospc@commit=2     the 2nd commit fails with SQLite's "database or disk is full" (SQLITE_FULL)
 *   enospc@index=1      writing the 1st channel's FAISS files fails with ENOSPC (index worker)
 *   enospc@backup=2     the 2nd backup write (1 settings.json, 2 memory.db, 3 indices/) and later fail with ENOSPC
 *   enospc@log=8        the 8th line written to the run log and every later one fail with ENOSPC
 *
 * An enospc rule stays in force once it fires: a full disk stays full until the user frees space.
 */
import {UsageError} from '../errors.js';
import type {Device} from '../types.js';

type Rule =
	| {kind: 'oom-size'; maxRows: number}
	| {kind: 'oom-cuda'}
	| {kind: 'oom-after'; afterCall: number; maxRows?: number}
	| {kind: 'fail-message'; messageId: string}
	| {kind: 'slow'; call: number; ms: number}
	| {kind: 'busy-commit'; commit: number}
	| {kind: 'enospc-commit'; commit: number}
	| {kind: 'enospc-write'; writer: FileWriter; from: number};

/** Writers (besides SQLite's commits) whose Nth write a full disk can be injected into. */
type FileWriter = 'index' | 'backup' | 'log';

export const faultsEnvironmentVariable = 'QWEN3_MIGRATE_FAULTS';

export const injectedOutOfMemoryMessage =
	'[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : CUDA failure 2: out of memory ; GPU=0 ; (injected by QWEN3_MIGRATE_FAULTS)';

function parseRule(text: string): Rule {
	let match = /^oom@size>(\d+)$/.exec(text);
	if (match) {
		return {kind: 'oom-size', maxRows: Number(match[1])};
	}

	if (text === 'oom@device=cuda') {
		return {kind: 'oom-cuda'};
	}

	match = /^oom@batch>(\d+)$/.exec(text);
	if (match) {
		return {kind: 'oom-after', afterCall: Number(match[1])};
	}

	match = /^fail@message=(.+)$/.exec(text);
	if (match) {
		return {kind: 'fail-message', messageId: match[1]!};
	}

	match = /^slow@batch=(\d+):(\d+)$/.exec(text);
	if (match) {
		return {kind: 'slow', call: Number(match[1]), ms: Number(match[2])};
	}

	match = /^busy@commit=(\d+)$/.exec(text);
	if (match) {
		return {kind: 'busy-commit', commit: Number(match[1])};
	}

	match = /^enospc@(commit|index|backup|log)=(\d+)$/.exec(text);
	if (match) {
		const count = Number(match[2]);
		return match[1] === 'commit' ? {kind: 'enospc-commit', commit: count} : {kind: 'enospc-write', writer: match[1] as FileWriter, from: count};
	}

	throw new UsageError(
		`${faultsEnvironmentVariable}: unknown rule "${text}"`,
		'rules: oom@size>N, oom@batch>N, oom@device=cuda, fail@message=ID, slow@batch=N:MS, busy@commit=N, enospc@commit=N, enospc@index=N, enospc@backup=N, enospc@log=N (comma-separated)',
	);
}

export class FaultInjector {
	private calls = 0;
	private commits = 0;

	constructor(private readonly rules: Rule[]) {}

	static fromEnvironment(env: NodeJS.ProcessEnv = process.env): FaultInjector {
		const text = env[faultsEnvironmentVariable]?.trim();
		return new FaultInjector(text ? text.split(',').map(rule => parseRule(rule.trim())) : []);
	}

	get active(): boolean {
		return this.rules.length > 0;
	}

	/**
	 * Called before each model call with every message the batch will commit and the number of
	 * texts the model runs on (fewer when duplicates are reused); throws the injected error, or
	 * waits for a slow rule.
	 */
	async beforeModelCall(call: {messageIds: readonly string[]; modelRows?: number; batchSize: number; device?: Device}): Promise<void> {
		const {messageIds, batchSize: currentBatchSize, device = 'cpu'} = call;
		const modelRows = call.modelRows ?? messageIds.length;
		this.calls++;
		for (const rule of this.rules) {
			switch (rule.kind) {
				case 'oom-size': {
					if (modelRows > rule.maxRows) {
						throw new Error(injectedOutOfMemoryMessage);
					}

					break;
				}

				case 'oom-cuda': {
					// A call with every text remembered never reaches the model.
					if (device === 'cuda' && modelRows > 0) {
						throw new Error(injectedOutOfMemoryMessage);
					}

					break;
				}

				case 'oom-after': {
					if (this.calls > rule.afterCall) {
						rule.maxRows ??= Math.max(1, Math.floor(currentBatchSize / 2));
						if (modelRows > rule.maxRows) {
							throw new Error(injectedOutOfMemoryMessage);
						}
					}

					break;
				}

				case 'fail-message': {
					if (messageIds.includes(rule.messageId)) {
						throw new Error(`model failed on message ${rule.messageId} (injected by ${faultsEnvironmentVariable})`);
					}

					break;
				}

				case 'slow': {
					if (this.calls === rule.call) {
						await new Promise(resolve => setTimeout(resolve, rule.ms));
					}

					break;
				}

				case 'busy-commit':
				case 'enospc-commit':
				case 'enospc-write': {
					break;
				}
			}
		}
	}

	/** Called before each batch commit. */
	beforeCommit(): void {
		this.commits++;
		for (const rule of this.rules) {
			if (rule.kind === 'busy-commit' && rule.commit === this.commits) {
				const error = new Error(`database is locked (injected by ${faultsEnvironmentVariable})`) as Error & {code: string};
				error.code = 'SQLITE_BUSY';
				throw error;
			}

			if (rule.kind === 'enospc-commit' && this.commits >= rule.commit) {
				throw injectedError(`database or disk is full (injected by ${faultsEnvironmentVariable})`, 'SQLITE_FULL');
			}
		}
	}

	private readonly writes: Record<FileWriter, number> = {index: 0, backup: 0, log: 0};

	/** Called (in the index worker) before each channel's FAISS files are written. */
	beforeIndexWrite(): void {
		this.failWhenDiskFull('index');
	}

	/** Called before each of the backups (settings.json, memory.db, indices/) is written. */
	beforeBackupWrite(): void {
		this.failWhenDiskFull('backup');
	}

	/** Called before each line is appended to the run log. */
	beforeLogWrite(): void {
		this.failWhenDiskFull('log');
	}

	private failWhenDiskFull(writer: FileWriter): void {
		const count = ++this.writes[writer];
		if (this.rules.some(rule => rule.kind === 'enospc-write' && rule.writer === writer && count >= rule.from)) {
			throw injectedError(`ENOSPC: no space left on device, write (injected by ${faultsEnvironmentVariable})`, 'ENOSPC');
		}
	}
}

function injectedError(message: string, code: string): Error {
	const error = new Error(message) as Error & {code: string};
	error.code = code;
	return error;
}
