/**
 * One migration run through its phases: preflight, backup, embed, catch-up, index, verify,
 * cut-over. Every phase is recorded, so running `migrate` again after a kill resumes where the
 * last commit left off. Clients watch `events` and steer through `control`.
 */
import {randomUUID} from 'node:crypto';
import {existsSync, statSync} from 'node:fs';
import {rm} from 'node:fs/promises';
import os from 'node:os';
import type Database from 'better-sqlite3';
import {openMemoryDatabase} from '../db/connection.js';
import {Embedder, type EmbedderOptions} from '../embed/embedder.js';
import {resolveModelSource} from '../embed/model-source.js';
import {AppError, UsageError, errorMessage} from '../errors.js';
import {MigrationLogger} from '../log/logger.js';
import {logText} from '../log/messages.js';
import type {LogLevel} from '../log/format.js';
import {loadSettings} from '../settings/load.js';
import {qwen3Profiles, type MemorySystemSettings, type ProfileName, type StrategyName} from '../settings/schema.js';
import {workspacePaths, type WorkspacePaths} from '../workspace.js';
import {backupsIntact, makeBackups} from './backup.js';
import {type Counters, type EmbeddingBackend, type RunContext, emitProgress} from './context.js';
import {RunControl} from './control.js';
import {swapIndexDirectories, switchSettingsToTarget, targetProfile} from './cutover.js';
import {BackgroundCheckpointer} from './checkpointer.js';
import {CommitWriter} from './commit-writer.js';
import {EmbedLoop, reuseCapacity} from './embed-loop.js';
import {ReuseCache} from './window-planner.js';
import {MigrationEvents, phases, type Phase} from './events.js';
import {FaultInjector} from './faults.js';
import {runIndexJob} from './index-jobs.js';
import {acquireMigrationLock} from './lock.js';
import {assertDiskSpace, estimateDisk, formatBytes, sourceDimension} from './preflight.js';
import {clearFailures, countFailures, ensureStateTables, insertRun, latestRun, stateTablesExist, updateRun, type RunRecord} from './state.js';
import {countTargetSet, type TargetModel} from './target-set.js';
import {commitSample, loadStoredMap, prepareStrategy, type PreparedStrategy} from '../strategies/prepare.js';
import {ModelVectorSource} from '../strategies/vector-source.js';


export type MigrateOptions = {
	workspace: string;
	batchSize?: number;
	device?: 'auto' | 'cpu' | 'cuda';
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
};

export type MigrationOutcome =
	| {status: 'done'; runId: string; succeeded: number; failed: number; total: number; blank: number; truncated: number; reused: number; seconds: number; logFile: string}
	| {status: 'aborted'; runId: string; done: number; total: number; logFile: string}
	| {status: 'noop'; message: string};

const phaseIndex = (phase: Phase) => phases.indexOf(phase);

/** The bot's schema has this index; a database without it would make every lookup a scan. */
function ensureMessageIdIndex(db: Database.Database, log: (message: string) => void): void {
	const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'idx_embeddings_message_id'").get();
	if (!exists) {
		db.exec('CREATE INDEX idx_embeddings_message_id ON embeddings(message_id)');
		log('建立缺少的索引 idx_embeddings_message_id (PigPig 結構的一部分)');
	}
}

export class Migration {
	readonly events = new MigrationEvents();
	readonly control: RunControl;
	private logger: MigrationLogger | undefined;

	constructor(private readonly options: MigrateOptions) {
		this.control = new RunControl(options.batchSize ?? 32, this.events);
	}

	get logFile(): string | undefined {
		return this.logger?.file;
	}

	async run(): Promise<MigrationOutcome> {
		const root = this.options.workspace;
		if (!existsSync(root) || !statSync(root).isDirectory()) {
			throw new UsageError(`workspace ${root} does not exist or is not a directory`, 'pass --workspace DIR: the bot\'s directory, which holds settings.json');
		}

		const {settings} = loadSettings(workspacePaths(root).settings);
		const memory = settings.memory_system;
		const paths = workspacePaths(root, memory.database_path);
		const strategy = this.options.strategy ?? memory.migration.strategy;

		if (this.options.profile && !qwen3Profiles.includes(this.options.profile)) {
			throw new UsageError(`--profile ${this.options.profile}: expected one of ${qwen3Profiles.join(', ')}`, 'the bot needs a Qwen3 profile after the migration');
		}

		if (this.options.batchSize === undefined) {
			this.control.setBatchSize(memory.migration.migration_batch_size);
		}

		this.control.tokenBudget = memory.migration.max_batch_tokens;

		const lock = acquireMigrationLock(paths.lock);
		const db = openMemoryDatabase(paths.database);
		let embedder: EmbeddingBackend | undefined;
		try {
			const previous = latestRun(db);
			const noop = this.checkNothingToDo(db, previous, memory);
			if (noop) {
				return noop;
			}

			this.logger = new MigrationLogger(paths.logs);
			this.logger.onEntry(entry => this.events.emit('log:line', entry));
			if (lock.tookOverStaleLock) {
				this.log('WARNING', `清除過期的遷移鎖 (pid ${lock.tookOverStaleLock.pid} 已不存在)`);
			}

			embedder = await this.loadTargetModel(memory, paths);
			const checkpointer = new BackgroundCheckpointer(db, paths.database);
			const writer = new CommitWriter({databasePath: paths.database});
			try {
				return await this.runPhases(db, writer, paths, memory, previous, embedder, strategy);
			} finally {
				await writer.close();
				await checkpointer.stop();
			}
		} catch (error) {
			this.log('ERROR', errorMessage(error));
			throw error;
		} finally {
			db.close();
			await embedder?.close();
			lock.release();
			this.logger?.close();
		}
	}

	private log(level: LogLevel, message: string): void {
		this.logger?.log(level, message);
	}

	private checkNothingToDo(db: Database.Database, previous: RunRecord | undefined, memory: MemorySystemSettings): MigrationOutcome | undefined {
		const target = memory.migration.target_model;
		if (previous?.status === 'done' && this.options.retryFailed && countFailures(db, previous.run_id) > 0) {
			return undefined;
		}

		if (previous?.status === 'done') {
			const failed = countFailures(db, previous.run_id);
			const retryHint = failed > 0 ? `; ${failed} messages failed (retry them with --retry-failed)` : '';
			return {
				status: 'noop',
				message: `nothing to do: the migration to ${previous.target_model} finished on ${previous.finished_at ?? '?'} (${previous.embedded} vectors); settings.json names ${memory.embedding_model}${retryHint}`,
			};
		}

		if (!previous && memory.embedding_model === target) {
			return {status: 'noop', message: `nothing to do: settings.json already uses ${target}`};
		}

		if (previous && previous.target_model !== target) {
			throw new AppError('migration-state', `a migration to ${previous.target_model} is in progress, but settings now name ${target} as the target`, {
				hint: 'finish it (set migration.target_model back) or undo it with `qwen3-migrate rollback`',
				exitCode: 2,
			});
		}

		return undefined;
	}

	private async loadTargetModel(memory: MemorySystemSettings, paths: WorkspacePaths): Promise<EmbeddingBackend> {
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
			});
		} catch (error) {
			this.log('ERROR', logText.modelLoadFailed(errorMessage(error)));
			throw error;
		}
	}

	private async runPhases(
		db: Database.Database,
		writer: CommitWriter,
		paths: WorkspacePaths,
		memory: MemorySystemSettings,
		previous: RunRecord | undefined,
		embedder: EmbeddingBackend,
		strategy: StrategyName,
	): Promise<MigrationOutcome> {
		const started = (this.options.now ?? Date.now)();
		const outputDimension = memory.migration.output_dimension ?? embedder.dimension;
		if (outputDimension > embedder.dimension) {
			throw new UsageError(
				`memory_system.migration.output_dimension ${outputDimension}: expected 32 to ${embedder.dimension} (the model's dimension)`,
				`set it to at most ${embedder.dimension}, or null to keep every dimension`,
			);
		}

		const target: TargetModel = {model: memory.migration.target_model, dimension: outputDimension};
		if (previous && previous.strategy !== strategy) {
			throw new AppError('migration-state', `this migration started with strategy ${previous.strategy}, not ${strategy}`, {
				hint: `run it with --strategy ${previous.strategy} to finish it, or \`qwen3-migrate rollback\` and start again`,
				exitCode: 2,
			});
		}

		if (previous && previous.target_dimension !== target.dimension) {
			throw new AppError('migration-state', `the target model now gives ${target.dimension}-d vectors, but this migration started with ${previous.target_dimension}-d`, {
				hint: 'point migration.target_model_path back at the same model, or `qwen3-migrate rollback` and start again',
				exitCode: 2,
			});
		}

		const sourceModel = previous?.source_model ?? memory.embedding_model;
		const context: RunContext = {
			db,
			paths,
			settings: memory,
			runId: previous?.run_id ?? randomUUID(),
			target,
			events: this.events,
			log: (level, message) => this.log(level, message),
			faults: this.options.faults ?? FaultInjector.fromEnvironment(this.options.env),
			control: this.control,
			embedder,
			writer,
			vectors: new ModelVectorSource(embedder, target.dimension, this.events),
			now: this.options.now ?? Date.now,
			freeMemoryMb: this.options.freeMemoryMb ?? (() => os.freemem() / 1024 / 1024),
			counters: {done: 0, total: 0, failed: 0, blank: 0, truncated: 0},
			phase: 'preflight',
		};
		const enter = (phase: Phase) => {
			context.phase = phase;
			if (phaseIndex(phase) > phaseIndex('backup')) {
				updateRun(db, context.runId, {phase, updated_at: new Date().toISOString()});
			}

			this.events.emit('run:phase:enter', {phase});
			emitProgress(context);
		};

		// Preflight
		enter('preflight');
		this.log('INFO', logText.migrationStart(sourceModel, target.model));
		const source = {model: sourceModel, dimension: sourceDimension(db, sourceModel)};
		this.log('INFO', logText.dimensionChange(source.dimension, target.dimension));
		this.log('INFO', logText.strategy(strategy));
		await this.refreshCounts(context);
		const prepared = await prepareStrategy({
			strategy,
			db,
			embedder,
			events: this.events,
			target,
			source,
			targetSetSize: context.counters.total,
			settings: {sampleSize: memory.migration.transform_sample_size, threshold: memory.migration.transform_quality_threshold},
			storedMap: previous && stateTablesExist(db) ? loadStoredMap(db, previous.run_id) : undefined,
		});
		context.vectors = prepared.source;
		this.logStrategyQuality(strategy, prepared);
		this.log('INFO', logText.totalVectors(context.counters.total));
		if (context.counters.blank > 0) {
			this.log('INFO', `空白訊息略過: ${context.counters.blank}`);
		}

		const backupsReusable = previous?.backup_verified_at != null && backupsIntact(paths, previous.settings_sha256);
		const disk = estimateDisk(paths, context.counters.total - context.counters.done, context.counters.total, target.dimension, backupsReusable);
		assertDiskSpace(disk, paths.root);
		this.events.emit('run:start', {
			runId: context.runId,
			source: sourceModel,
			target: target.model,
			strategy,
			resumed: previous !== undefined,
			total: context.counters.total,
		});

		// Backup
		enter('backup');
		if (!previous) {
			ensureStateTables(db);
			const now = new Date().toISOString();
			// AUTOINCREMENT ids only grow: every row added from now on has an id above this.
			const watermark = (
				db.prepare("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'embeddings'), 0), COALESCE((SELECT MAX(id) FROM embeddings), 0)) AS max").get() as {max: number}
			).max;
			insertRun(db, {
				run_id: context.runId,
				source_model: sourceModel,
				target_model: target.model,
				target_dimension: target.dimension,
				strategy,
				profile: targetProfile(memory.profile, this.options.profile),
				phase: 'backup',
				status: 'running',
				embedding_watermark: watermark,
				cursor_rowid: 0,
				embedded: 0,
				truncated: 0,
				settings_sha256: null,
				backup_verified_at: null,
				started_at: now,
				updated_at: now,
				finished_at: null,
				cutover_at: null,
				pruned_at: null,
				target_total: context.counters.total,
				target_done: context.counters.done,
			});
		} else if (previous.status === 'done') {
			// --retry-failed on a finished run: the failed messages go back into the target set, and
			// the run goes through catch-up, index, verify and cut-over again.
			const cleared = clearFailures(db, context.runId);
			updateRun(db, context.runId, {status: 'running', phase: 'catchup', finished_at: null, updated_at: new Date().toISOString()});
			this.log('INFO', `重試失敗的訊息: ${cleared}`);
		} else {
			updateRun(db, context.runId, {status: 'running', updated_at: new Date().toISOString()});
			this.log('INFO', `從檢查點繼續遷移 (phase=${previous.phase}, cursor=${previous.cursor_rowid})`);
		}

		if (backupsReusable) {
			this.log('INFO', '使用本次遷移已驗證的備份');
		} else {
			const backup = await makeBackups(db, paths, {keepOlder: this.options.keepBackups});
			updateRun(db, context.runId, {settings_sha256: backup.settingsSha256, backup_verified_at: new Date().toISOString()});
			for (const moved of backup.movedAside) {
				this.log('WARNING', `既有備份已移至 ${moved}`);
			}

			for (const removed of backup.removed) {
				this.log('INFO', `刪除較舊的備份: ${removed}`);
			}

			this.log('INFO', `備份完成: ${paths.settingsBackup}, ${paths.databaseBackup}, ${paths.indicesBackup}`);
		}

		ensureMessageIdIndex(db, message => this.log('INFO', message));
		if (prepared.sample) {
			const written = commitSample(db, context.runId, target, prepared);
			context.counters.done += written;
			this.log('INFO', `樣本訊息以新模型向量寫入: ${written}`);
		}

		const run = latestRun(db)!;
		context.counters.failed = countFailures(db, context.runId);
		context.counters.truncated = run.truncated;
		const startPhase = phaseIndex(run.phase);

		// Embed, then catch up with what the bot wrote meanwhile (and anything the keyset skipped).
		// One reuse cache for the whole run: a text embedded once is never embedded again.
		const reuse = new ReuseCache(reuseCapacity);
		if (startPhase <= phaseIndex('embed')) {
			enter('embed');
			if ((await new EmbedLoop(context, reuse).run(run.cursor_rowid)) === 'aborted') {
				return this.aborted(context);
			}
		}

		if (startPhase <= phaseIndex('cutover')) {
			for (let round = 0; ; round++) {
				enter('catchup');
				await this.refreshCounts(context);
				if ((await new EmbedLoop(context, reuse).run(0)) === 'aborted') {
					return this.aborted(context);
				}

				enter('index');
				await this.buildIndexes(context);
				if (this.control.aborting) {
					return this.aborted(context);
				}

				enter('verify');
				await this.verifyIndexes(context);
				// Messages that arrived while indexing: embed them and index again (bounded).
				await this.refreshCounts(context);
				if (context.counters.done + context.counters.failed >= context.counters.total || round >= 2) {
					break;
				}
			}
		}

		enter('cutover');
		await swapIndexDirectories(paths);
		switchSettingsToTarget(paths.settings, {model: target.model, dimension: target.dimension, profile: run.profile as ProfileName});
		const finished = new Date().toISOString();
		updateRun(db, context.runId, {phase: 'done', status: 'done', cutover_at: finished, finished_at: finished, updated_at: finished});
		this.log('INFO', `切換完成: settings.json 使用 ${target.model} (${run.profile})，索引已更新`);
		enter('done');
		await rm(paths.indicesStaging, {recursive: true, force: true});
		const {done, total, failed, blank, truncated} = context.counters;
		if (truncated > 0) {
			this.log('INFO', `超過 max_tokens (${memory.migration.max_tokens}) 而截斷的訊息: ${truncated}`);
		}

		if (reuse.reused > 0) {
			this.log('INFO', `重複文字重用向量 (未重新計算): ${reuse.reused}`);
		}

		this.log('INFO', logText.complete(done, total));
		const seconds = ((this.options.now ?? Date.now)() - started) / 1000;
		this.events.emit('run:done', {runId: context.runId, succeeded: done, failed, total, seconds});
		return {status: 'done', runId: context.runId, succeeded: done, failed, total, blank, truncated, reused: reuse.reused, seconds, logFile: this.logger!.file};
	}

	private logStrategyQuality(strategy: StrategyName, prepared: PreparedStrategy): void {
		const quality = prepared.quality;
		if (!quality) {
			return;
		}

		const figures = `recall@10 ${quality.recallAtK.toFixed(3)}, 平均餘弦 ${quality.meanCosine.toFixed(3)} (樣本 ${quality.sampleSize}, 驗證 ${quality.heldOut})`;
		if (strategy === 'transform') {
			this.log('INFO', `轉換品質: ${figures}`);
		} else {
			this.log('WARNING', `${strategy} 產生的向量與新模型的查詢向量不可比較: ${figures}；建議使用 regenerate`);
		}

		this.events.emit('strategy:quality', {strategy, ...quality});
	}

	private async refreshCounts(context: RunContext): Promise<void> {
		const counts = await countTargetSet(context.db, context.target);
		const counters: Counters = context.counters;
		counters.total = counts.total;
		counters.done = counts.done;
		counters.blank = counts.blank;
		if (context.phase !== 'preflight') {
			updateRun(context.db, context.runId, {target_total: counts.total, target_done: counts.done});
		}

		emitProgress(context);
	}

	private aborted(context: RunContext): MigrationOutcome {
		updateRun(context.db, context.runId, {status: 'aborted', updated_at: new Date().toISOString()});
		const {done, total} = context.counters;
		this.log('WARNING', `遷移已暫停於 ${logText.progress(total === 0 ? 100 : (done / total) * 100)}；再次執行 migrate 會從檢查點繼續`);
		this.events.emit('run:aborted', {runId: context.runId, phase: context.phase, done, total});
		return {status: 'aborted', runId: context.runId, done, total, logFile: this.logger!.file};
	}

	private async buildIndexes(context: RunContext): Promise<void> {
		const {paths, target} = context;
		await runIndexJob(
			{task: 'build', databasePath: paths.database, stagingDir: paths.indicesStaging, liveDir: paths.indices, model: target.model, dimension: target.dimension, samplePerChannel: 0},
			message => {
				if (message.type === 'channel') {
					this.events.emit('index:channel:done', {channelId: message.channelId, vectors: message.vectors, built: message.built, channels: message.channels});
				} else if (message.type === 'skipped') {
					this.log('ERROR', `頻道索引略過 (channel_id=${message.channelId}): ${message.reason}`);
				}
			},
		);
		this.log('INFO', `新索引已建立於 ${paths.indicesStaging}`);
	}

	private async verifyIndexes(context: RunContext): Promise<void> {
		const {paths, target} = context;
		const result = await runIndexJob(
			{task: 'verify', databasePath: paths.database, stagingDir: paths.indicesStaging, model: target.model, dimension: target.dimension, samplePerChannel: this.options.verifySample ?? 20},
			() => undefined,
		);
		if (result.type !== 'verified') {
			return;
		}

		this.events.emit('verify:result', {ok: result.ok, channels: result.channels, vectors: result.vectors, problems: result.problems});
		if (!result.ok) {
			for (const problem of result.problems.slice(0, 20)) {
				this.log('ERROR', `驗證失敗: ${problem}`);
			}

			throw new AppError('index', `verification of the new indexes failed: ${result.problems[0]}`, {
				hint: 'the live indexes and settings are untouched; run `migrate` again to rebuild, or `qwen3-migrate verify` for details',
			});
		}

		this.log('INFO', `驗證通過: ${result.channels} 個頻道, ${result.vectors} 個向量 (${formatBytes(result.vectors * target.dimension * 4)})`);
	}
}
