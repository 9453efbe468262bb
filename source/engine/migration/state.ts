/**
 * The migration's own bookkeeping, kept in memory.db beside the bot's tables so that each batch's
 * vectors and its checkpoint commit in one transaction. Rollback drops these tables again.
 */
import type Database from 'better-sqlite3';
import type {Phase} from './events.js';

export const stateTables = ['qwen3_migrate_runs', 'qwen3_migrate_failures', 'qwen3_migrate_transform'] as const;

const ddl = [
	`CREATE TABLE IF NOT EXISTS qwen3_migrate_runs (
		run_id TEXT PRIMARY KEY,
		source_model TEXT NOT NULL,
		target_model TEXT NOT NULL,
		target_dimension INTEGER NOT NULL,
		strategy TEXT NOT NULL,
		profile TEXT NOT NULL,
		phase TEXT NOT NULL,
		status TEXT NOT NULL,
		embedding_watermark INTEGER NOT NULL,
		cursor_rowid INTEGER NOT NULL DEFAULT 0,
		embedded INTEGER NOT NULL DEFAULT 0,
		truncated INTEGER NOT NULL DEFAULT 0,
		settings_sha256 TEXT,
		backup_verified_at TEXT,
		started_at TEXT NOT NULL,
		updated_at TEXT NOT NULL,
		finished_at TEXT,
		cutover_at TEXT,
		pruned_at TEXT,
		target_total INTEGER NOT NULL DEFAULT 0,
		target_done INTEGER NOT NULL DEFAULT 0
	)`,
	`CREATE TABLE IF NOT EXISTS qwen3_migrate_failures (
		run_id TEXT NOT NULL,
		message_id TEXT NOT NULL,
		channel_id TEXT,
		kind TEXT NOT NULL,
		error TEXT NOT NULL,
		failed_at TEXT NOT NULL,
		PRIMARY KEY (run_id, message_id)
	)`,
	`CREATE TABLE IF NOT EXISTS qwen3_migrate_transform (
		run_id TEXT PRIMARY KEY,
		rows INTEGER NOT NULL,
		columns INTEGER NOT NULL,
		weights BLOB NOT NULL,
		sample_size INTEGER NOT NULL,
		held_out INTEGER NOT NULL,
		mean_cosine REAL NOT NULL,
		recall_at_10 REAL NOT NULL
	)`,
];

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
	pruned_at: string | null;
	/** The target set's size and how many have a new vector, for watchers in other processes. */
	target_total: number;
	target_done: number;
};

export function stateTablesExist(db: Database.Database): boolean {
	const row = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'qwen3_migrate_runs'").get() as {n: number};
	return row.n > 0;
}

/** Columns added after the first release of the table; older tables get them on the next run. */
const addedColumns = ['target_total INTEGER NOT NULL DEFAULT 0', 'target_done INTEGER NOT NULL DEFAULT 0'];

export function ensureStateTables(db: Database.Database): void {
	db.transaction(() => {
		for (const statement of ddl) {
			db.exec(statement);
		}

		const present = new Set((db.prepare('PRAGMA table_info(qwen3_migrate_runs)').all() as Array<{name: string}>).map(column => column.name));
		for (const column of addedColumns) {
			if (!present.has(column.split(' ')[0]!)) {
				db.exec(`ALTER TABLE qwen3_migrate_runs ADD COLUMN ${column}`);
			}
		}
	})();
}

export function dropStateTables(db: Database.Database): void {
	db.transaction(() => {
		for (const table of stateTables) {
			db.exec(`DROP TABLE IF EXISTS ${table}`);
		}
	})();
}

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

export type FailureRecord = {message_id: string; channel_id: string | null; kind: string; error: string; failed_at: string};

export function listFailures(db: Database.Database, runId: string): FailureRecord[] {
	if (!stateTablesExist(db)) {
		return [];
	}

	return db.prepare('SELECT message_id, channel_id, kind, error, failed_at FROM qwen3_migrate_failures WHERE run_id = ? ORDER BY failed_at').all(runId) as FailureRecord[];
}

export function countFailures(db: Database.Database, runId: string): number {
	return (db.prepare('SELECT COUNT(*) AS n FROM qwen3_migrate_failures WHERE run_id = ?').get(runId) as {n: number}).n;
}

export function clearFailures(db: Database.Database, runId: string): number {
	return db.prepare('DELETE FROM qwen3_migrate_failures WHERE run_id = ?').run(runId).changes;
}
