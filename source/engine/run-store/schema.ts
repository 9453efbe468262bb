/**
 * The run store's tables and their upgrades: the migration's own bookkeeping, kept in memory.db
 * beside the bot's tables so that each batch's vectors and its checkpoint commit in one
 * transaction. Rollback drops these tables again.
 */
import type Database from 'better-sqlite3';

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
		cutover_started_at TEXT,
		pruned_at TEXT,
		target_total INTEGER NOT NULL DEFAULT 0,
		target_done INTEGER NOT NULL DEFAULT 0,
		live_catch_up_from INTEGER
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

export function stateTablesExist(db: Database.Database): boolean {
	const row = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'qwen3_migrate_runs'").get() as {n: number};
	return row.n > 0;
}

/** Columns added after the first release of the table; older tables get them on the next run. */
const addedColumns = ['target_total INTEGER NOT NULL DEFAULT 0', 'target_done INTEGER NOT NULL DEFAULT 0', 'cutover_started_at TEXT', 'live_catch_up_from INTEGER'];

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

