/**
 * The run record: one row per migration in qwen3_migrate_runs, saying which phase it reached,
 * where its checkpoint is and what it backed up. Every read and write of that row goes through here.
 */
import type Database from 'better-sqlite3';
import type {Phase, StrategyName} from '../types.js';
import {ensureStateTables, stateTablesExist} from './schema.js';

export type RunStatus = 'running' | 'aborted' | 'failed' | 'done';

export type RunRecord = {
	run_id: string;
	source_model: string;
	target_model: string;
	target_dimension: number;
	strategy: string;
	profile: string;
	phase: Phase;
	status: RunStatus;
	/** max(embeddings.id) when the run began: every new-model row above it belongs to this migration. */
	embedding_watermark: number;
	/** Keyset checkpoint: every target message with rowid ≤ this is resolved (vector or failure). */
	cursor_rowid: number;
	embedded: number;
	truncated: number;
	settings_sha256: string | null;
	backup_verified_at: string | null;
	started_at: string;
	updated_at: string;
	finished_at: string | null;
	cutover_at: string | null;
	/** Set before the first rename of a cut-over; with status not `done`, the cut-over was interrupted. */
	cutover_started_at?: string | null;
	pruned_at: string | null;
	/** The target set's size and how many have a new vector, for watchers in other processes. */
	target_total: number;
	target_done: number;
	/**
	 * Set while the catch-up right after the switch runs (the newest embeddings.id the live indexes
	 * held when it began), cleared once what it embedded is in the live indexes. Still set on a
	 * finished run, the catch-up was cut short (a full disk, a kill): the next `migrate` rebuilds.
	 */
	live_catch_up_from?: number | null;
};

/** The newest run, whatever its status; undefined when no migration was ever started here. */
export function latestRun(db: Database.Database): RunRecord | undefined {
	if (!stateTablesExist(db)) {
		return undefined;
	}

	return db.prepare('SELECT * FROM qwen3_migrate_runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get() as RunRecord | undefined;
}

export function insertRun(db: Database.Database, run: RunRecord): void {
	const columns = Object.keys(run);
	db.prepare(`INSERT INTO qwen3_migrate_runs (${columns.join(', ')}) VALUES (${columns.map(column => `@${column}`).join(', ')})`).run(run);
}

export function updateRun(db: Database.Database, runId: string, changes: Partial<Omit<RunRecord, 'run_id'>>): void {
	const columns = Object.keys(changes);
	if (columns.length === 0) {
		return;
	}

	db.prepare(`UPDATE qwen3_migrate_runs SET ${columns.map(column => `${column} = @${column}`).join(', ')} WHERE run_id = @run_id`).run({
		...changes,
		run_id: runId,
	});
}

const now = () => new Date().toISOString();

/** The first row id above which every new-model row belongs to the run starting now. */
function embeddingWatermark(db: Database.Database): number {
	// AUTOINCREMENT ids only grow: every row added from now on has an id above this.
	const row = db
		.prepare("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'embeddings'), 0), COALESCE((SELECT MAX(id) FROM embeddings), 0)) AS max")
		.get() as {max: number};
	return row.max;
}

export type NewRun = Pick<RunRecord, 'run_id' | 'source_model' | 'target_model' | 'target_dimension' | 'profile' | 'target_total' | 'target_done'> & {strategy: StrategyName};

/** Creates the tables (first run) and the run's record, in the backup phase, watermark taken now. */
export function startRun(db: Database.Database, run: NewRun): void {
	ensureStateTables(db);
	const at = now();
	insertRun(db, {
		...run,
		phase: 'backup',
		status: 'running',
		embedding_watermark: embeddingWatermark(db),
		cursor_rowid: 0,
		embedded: 0,
		truncated: 0,
		settings_sha256: null,
		backup_verified_at: null,
		started_at: at,
		updated_at: at,
		finished_at: null,
		cutover_at: null,
		cutover_started_at: null,
		pruned_at: null,
	});
}

/** An interrupted run carries on from its checkpoint; a table written by an older release gains the columns added since. */
export function markResumed(db: Database.Database, runId: string): void {
	ensureStateTables(db);
	updateRun(db, runId, {status: 'running', updated_at: now()});
}

/** A finished run goes back to catch-up (failed messages to retry, messages stored after its switch, a cut-short catch-up); an older table gains the columns added since. */
export function reopenForRetry(db: Database.Database, runId: string): void {
	ensureStateTables(db);
	updateRun(db, runId, {status: 'running', phase: 'catchup', finished_at: null, cutover_started_at: null, updated_at: now()});
}

/** The cut-over's journal entry, written before its first rename: from here on the next run finishes it. */
export function markCutOverStarted(db: Database.Database, runId: string): void {
	updateRun(db, runId, {phase: 'cutover', cutover_started_at: now(), updated_at: now()});
}

/** A cut-over that began (its renames may have happened) but was never recorded as done. */
export function cutOverInterrupted(run: RunRecord | undefined): boolean {
	return run !== undefined && (run.cutover_started_at ?? null) !== null && run.status !== 'done';
}

export function recordPhase(db: Database.Database, runId: string, phase: Phase): void {
	updateRun(db, runId, {phase, updated_at: now()});
}

/** The target set's size and progress, for watchers in other processes. */
export function recordCounts(db: Database.Database, runId: string, counts: {total: number; done: number}): void {
	updateRun(db, runId, {target_total: counts.total, target_done: counts.done});
}

/** The backup registry: the settings file's hash and when the backups were verified. */
export function recordVerifiedBackup(db: Database.Database, runId: string, settingsSha256: string): void {
	updateRun(db, runId, {settings_sha256: settingsSha256, backup_verified_at: now()});
}

export function markAborted(db: Database.Database, runId: string): void {
	updateRun(db, runId, {status: 'aborted', updated_at: now()});
}

export function markCutOver(db: Database.Database, runId: string): void {
	const at = now();
	updateRun(db, runId, {phase: 'done', status: 'done', cutover_at: at, finished_at: at, updated_at: at});
}

/** The catch-up after the switch begins (`from`: the newest embeddings.id the live indexes hold), or ends (undefined). */
export function recordLiveCatchUp(db: Database.Database, runId: string, from: number | undefined): void {
	updateRun(db, runId, {live_catch_up_from: from ?? null, updated_at: now()});
}

/** A finished run whose catch-up after the switch was cut short: its live indexes may lack rows it embedded. */
export function liveCatchUpCutShort(run: RunRecord | undefined): boolean {
	return run?.status === 'done' && run.live_catch_up_from !== undefined && run.live_catch_up_from !== null;
}

export function markPruned(db: Database.Database, runId: string): void {
	updateRun(db, runId, {pruned_at: now()});
}
