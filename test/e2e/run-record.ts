/** The migration's own run record, read the way a second login would (for the tmux suites). */
import Database from 'better-sqlite3';

export type RunState = {status: string; phase: string; done: number; total: number} | undefined;

export function latestRunState(databaseFile: string): RunState {
	const db = new Database(databaseFile, {readonly: true});
	try {
		const table = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'qwen3_migrate_runs'").get();
		if (!table) {
			return undefined;
		}

		const row = db.prepare('SELECT status, phase, target_done AS done, target_total AS total FROM qwen3_migrate_runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get() as RunState;
		return row;
	} finally {
		db.close();
	}
}

/** Duplicate new-model vectors (the same message twice): must stay zero across stops and resumes. */
export function duplicateTargetRows(databaseFile: string, model = 'Qwen/Qwen3-Embedding-0.6B'): number {
	const db = new Database(databaseFile, {readonly: true});
	try {
		const row = db.prepare('SELECT COUNT(*) - COUNT(DISTINCT message_id) AS duplicates FROM embeddings WHERE model_version = ?').get(model) as {duplicates: number};
		return row.duplicates;
	} finally {
		db.close();
	}
}
