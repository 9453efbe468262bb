/**
 * One migration run: opens the workspace, takes the lock, loads the target model and hands the
 * phases (migration/phases/) a RunContext. Running `migrate` again after a kill resumes where the
 * last commit left off. Clients watch `events` and steer through `control`.
 */
import {randomUUID} from 'node:crypto';
import os from 'node:os';
import type Database from 'better-sqlite3';
import type {EmbeddingBackend} from '../embed-backend.js';
import {Embedder, type EmbedderOptions} from '../embed/embedder.js';
import {resolveModelSource} from '../embed/model-source.js';
import {AppError, UsageError, errorMessage} from '../errors.js';
import {MigrationLogger} from '../log/logger.js';
import {logText} from '../log/messages.js';
import type {LogLevel} from '../log/format.js';
import {latestRun, type RunRecord} from '../run-store/index.js';
import {qwen3Profiles} from '../settings/schema.js';
import type {DeviceName, Phase, ProfileName, StrategyName} from '../types.js';
import type {Workspace} from '../workspace.js';
import type {RunContext} from './context.js';
import {RunControl} from './control.js';
import {targetProfile} from './cutover.js';
import {BackgroundCheckpointer} from './checkpointer.js';
import {CommitWriter} from './commit-writer.js';
import {reuseCapacity} from './embed-loop.js';
import {MigrationEvents} from './events.js';
import {diskFullFrom} from './disk-full.js';
import {FaultInjector} from './faults.js';
import {acquireMigrationLock, type LockHandle} from './lock.js';
import {nothingToDo} from './nothing-to-do.js';
import {assertWorkspaceWritable} from './writability.js';
import {checkProfileDimension, resolveTarget} from './phases/preflight.js';
import {runPhases} from './phases/runner.js';
import type {TargetModel} from './target-set.js';
import {ReuseCache} from './window-planner.js';
import {ModelVectorSource} from '../strategies/vector-source.js';

export type MigrateOptions = {
	/** The workspace, made once by `openWorkspace` (settings parsed, paths resolved). */
	workspace: Workspace;
	batchSize?: number;
	device?: DeviceName;
	profile?: ProfileName;
	strategy?: StrategyName;
	env?: NodeJS.ProcessEnv;
	now?: () => number;
	freeMemoryMb?: () => number;
	faults?: FaultInjector;
	/** Loads the target model; tests wrap the real Embedder here. */
	loadEmbedder?: (options: EmbedderOptions) => Promise<EmbeddingBackend>;
	/** Vectors per channel checked by self-retrieval in the verify phase. */
	verifySample?: number;
	/** On a finished run with failed messages: try those again and rebuild the indexes. */
	retryFailed?: boolean;
	/** Older backup sets (moved aside by earlier runs) to keep; older ones are deleted. Default 2. */
	keepBackups?: number;
	/** `--allow-dimension-mismatch`: keep an output_dimension the bot's Qwen3 profile does not read. */
	allowDimensionMismatch?: boolean;
};

export type MigrationOutcome =
	| {status: 'done'; runId: string; succeeded: number; failed: number; total: number; blank: number; truncated: number; reused: number; seconds: number; /** Messages without a new vector right after the switch (the next run embeds them). */ late?: number; /** The newest message's rowid at the switch. */ switchedAtRowid?: number; logFile: string; /** Set when the run log could not be written after the cut-over. */ logIncomplete?: string}
	| {status: 'aborted'; runId: string; done: number; total: number; logFile: string}
	| {status: 'noop'; message: string};

/** The run log failed after the switch: not a stop to resume, but the live catch-up stopped (`late` are left). */
function logIncompleteAfterCutOver(failure: AppError, late: number): string {
	const volume = /^disk full on (.+?): need about/.exec(failure.message)?.[1];
	const fix = volume ? `free space on ${volume}` : (failure.hint ?? 'check the logs directory').replace(/, then run `qwen3-migrate migrate` again.*$/, '');
	const head = `the run log could not be written after the cut-over (${failure.message})`;
	return late > 0
		? `${head}; the switch is done and recorded: ${fix}, then run \`qwen3-migrate migrate\` again to embed the ${late} messages stored after the switch`
		: `${head}; the migration is complete and nothing needs resuming: ${fix}`;
}

export class Migration {
	readonly events = new MigrationEvents();
	readonly control: RunControl;
	private logger: MigrationLogger | undefined;
	private phase: Phase = 'preflight';
	private faults: FaultInjector | undefined;
	/** Set when the run log could not be written: the run stops at its next safe point and ends with this error. */
	private logFailure: AppError | undefined;

	constructor(private readonly options: MigrateOptions) {
		this.control = new RunControl(options.batchSize ?? 32, this.events);
		// The run log is the strategy's quality report; the event carries the same figures to clients.
		this.events.on('strategy:quality', quality => {
			if (quality.strategy === 'transform') {
				this.log('INFO', logText.transformQuality(quality));
			} else {
				this.log('WARNING', logText.derivedVectorsNotComparable(quality.strategy, quality));
			}
		});
		// Endpoint changes (remote backends) are log lines first; the dashboard shows them too.
		this.events.on('endpoint:change', change => {
			this.log(change.level, change.message);
		});
		this.events.on('run:phase:enter', ({phase}) => {
			this.phase = phase;
		});
	}

	get logFile(): string | undefined {
		return this.logger?.file;
	}

	async run(): Promise<MigrationOutcome> {
		const {workspace} = this.options;
		const {memory, paths} = workspace;
		const faults = (this.faults ??= this.options.faults ?? FaultInjector.fromEnvironment(this.options.env));
		const strategy = this.options.strategy ?? memory.migration.strategy;
		if (this.options.profile && !qwen3Profiles.includes(this.options.profile)) {
			throw new UsageError(`--profile ${this.options.profile}: expected one of ${qwen3Profiles.join(', ')}`, 'the bot needs a Qwen3 profile after the migration');
		}

		// Settings give the starting size unless a flag did; starting is not a change, so no event.
		this.control.startWith({batchSize: this.options.batchSize ?? memory.migration.migration_batch_size, tokenBudget: memory.migration.max_batch_tokens});
		// Refused before the lock and the log: a configuration error writes nothing at all.
		const dimensionWarning = checkProfileDimension(memory, targetProfile(memory.profile, this.options.profile), this.options.allowDimensionMismatch);
		assertWorkspaceWritable(paths);
		const lock = acquireMigrationLock(paths.lock);
		let db: Database.Database | undefined;
		let embedder: EmbeddingBackend | undefined;
		try {
			// Inside the try: a database refused here (exit 2) must release the lock too.
			db = workspace.openDatabase();
			const previous = latestRun(db);
			const noop = await nothingToDo(workspace, db, previous, this.options.retryFailed);
			if (noop) {
				return noop;
			}

			const logFile = this.openLog(paths.logs, faults, lock, dimensionWarning);
			const loaded = await this.loadTargetModelUnlessStopped(workspace, previous, logFile);
			if (loaded.status === 'aborted') {
				return loaded;
			}

			embedder = loaded.embedder;
			const outcome = await this.runWithWriters(workspace, db, embedder, previous, strategy);
			if (this.logFailure) {
				// After the cut-over the migration is complete: only the log's last lines are missing.
				if (outcome.status !== 'done') {
					throw this.logFailure;
				}

				const logIncomplete = logIncompleteAfterCutOver(this.logFailure, outcome.late ?? 0);
				this.events.emit('run:log-incomplete', {message: logIncomplete});
				return {...outcome, logIncomplete};
			}

			return outcome;
		} catch (error) {
			this.log('ERROR', logText.runFailed(errorMessage(error)));
			this.events.emit('run:error', {error: error instanceof Error ? error : new Error(errorMessage(error)), phase: this.phase});
			throw error;
		} finally {
			db?.close();
			await embedder?.close();
			lock.release();
			this.logger?.close();
		}
	}

	/** Opens the run log (its lines also go out as `log:line` events) with the warnings found before it. */
	private openLog(logsDirectory: string, faults: FaultInjector, lock: LockHandle, dimensionWarning: string | undefined): string {
		this.logger = new MigrationLogger(logsDirectory, undefined, () => faults.beforeLogWrite());
		this.logger.onEntry(entry => this.events.emit('log:line', entry));
		this.stopWhenTheLogFails(this.logger, logsDirectory);
		if (lock.tookOverStaleLock) {
			const {pid} = lock.tookOverStaleLock;
			this.log('WARNING', lock.staleHolderPidReused ? logText.staleLockPidReused(pid) : logText.staleLockCleared(pid));
		}

		if (dimensionWarning) {
			this.log('WARNING', dimensionWarning);
		}

		return this.logger.file;
	}

	/**
	 * A run must not go on without its log (the guide's grep-based analysis and the support bundle
	 * read it), nor crash mid-commit because of it: a failed log write asks for the same stop as the
	 * abort key (batch in flight committed, checkpoint kept, no cut-over), and the run then ends with
	 * the disk-full error. Resuming once space is freed opens a new log.
	 */
	private stopWhenTheLogFails(logger: MigrationLogger, logsDirectory: string): void {
		logger.onWriteFailure(error => {
			this.logFailure =
				diskFullFrom(error, logsDirectory) ??
				new AppError('internal', `cannot write the run log ${logger.file}: ${errorMessage(error)}`, {
					hint: `check ${logsDirectory} (permissions, disk), then run \`qwen3-migrate migrate\` again: it resumes from the last commit`,
					cause: error,
				});
			this.control.abort();
		});
	}

	/** The phases, with the commit worker and WAL checkpointer running beside them. */
	private async runWithWriters(workspace: Workspace, db: Database.Database, embedder: EmbeddingBackend, previous: RunRecord | undefined, strategy: StrategyName): Promise<MigrationOutcome> {
		const started = (this.options.now ?? Date.now)();
		const target = resolveTarget(workspace.memory, embedder, previous, strategy);
		const checkpointer = new BackgroundCheckpointer(db, workspace.paths.database);
		const writer = new CommitWriter({databasePath: workspace.paths.database});
		try {
			const context = this.runContext(workspace, db, embedder, writer, previous, target);
			const result = await runPhases(context, {
				previous,
				strategy,
				sourceModel: previous?.source_model ?? workspace.memory.embedding_model,
				profile: targetProfile(workspace.memory.profile, this.options.profile),
				keepBackups: this.options.keepBackups,
				verifySample: this.options.verifySample ?? 20,
				retryFailed: this.options.retryFailed,
				started,
			});
			return {...result, logFile: this.logger!.file};
		} finally {
			await writer.close();
			await checkpointer.stop();
		}
	}

	private runContext(workspace: Workspace, db: Database.Database, embedder: EmbeddingBackend, writer: CommitWriter, previous: RunRecord | undefined, target: TargetModel): RunContext {
		return {
			db,
			paths: workspace.paths,
			settings: workspace.memory,
			runId: previous?.run_id ?? randomUUID(),
			target,
			events: this.events,
			log: (level, message) => this.log(level, message),
			faults: this.faults!,
			control: this.control,
			embedder,
			writer,
			vectors: new ModelVectorSource(embedder, target.dimension),
			now: this.options.now ?? Date.now,
			freeMemoryMb: this.options.freeMemoryMb ?? (() => os.freemem() / 1024 / 1024),
			counters: {done: 0, total: 0, failed: 0, blank: 0, truncated: 0},
			phase: 'preflight',
			reuse: new ReuseCache(reuseCapacity),
		};
	}

	/** A line in the run's log from the process that drives it (e.g. the headless runner on SIGHUP). */
	note(level: LogLevel, message: string): void {
		this.log(level, message);
	}

	private log(level: LogLevel, message: string): void {
		this.logger?.log(level, message);
	}

	/** The target model, or the aborted outcome when the run was stopped during its download (the `.part` files resume). */
	private async loadTargetModelUnlessStopped(workspace: Workspace, previous: RunRecord | undefined, logFile: string): Promise<{status: 'loaded'; embedder: EmbeddingBackend} | Extract<MigrationOutcome, {status: 'aborted'}>> {
		try {
			return {status: 'loaded', embedder: await this.loadTargetModel(workspace)};
		} catch (error) {
			if (this.logFailure) {
				throw this.logFailure;
			}

			if (this.control.aborting) {
				return {status: 'aborted', runId: previous?.run_id ?? '', done: previous?.target_done ?? 0, total: previous?.target_total ?? 0, logFile};
			}

			throw error;
		}
	}

	private async loadTargetModel({memory, paths}: Workspace): Promise<EmbeddingBackend> {
		const migration = memory.migration;
		const source = resolveModelSource(migration.target_model, {
			localPath: migration.target_model_path,
			root: paths.root,
			endpoint: migration.hf_endpoint,
			cacheDir: migration.model_cache_dir,
			env: this.options.env,
		});
		const load = this.options.loadEmbedder ?? (async (options: EmbedderOptions) => Embedder.load(options));
		try {
			return await load({
				source,
				device: this.options.device ?? migration.device,
				dtype: migration.dtype,
				maxTokens: migration.max_tokens,
				cpuOnlyMode: memory.cpu_only_mode,
				threads: migration.intra_op_threads ?? undefined,
				onDownload: progress => this.events.emit('model:download:progress', progress),
				signal: this.control.stopSignal,
			});
		} catch (error) {
			this.log('ERROR', logText.modelLoadFailed(errorMessage(error)));
			throw error;
		}
	}
}
