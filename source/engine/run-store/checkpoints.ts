/**
 * The run's checkpoint: the keyset cursor below which every target message is resolved, and the
 * counts that move with it. The commit worker prepares these statements on its own connection and
 * runs them inside the same transaction as the batch they describe.
 */
import type Database from 'better-sqlite3';

export type CheckpointChange = {runId: string; cursor: number; embedded: number; truncated: number; now: string};
export type FailureChange = {runId: string; messageId: string; channelId: string; kind: string; error: string; now: string};

export type CheckpointStatements = {
	/** Moves the cursor to at least `cursor` and adds the batch's counts. */
	advance: (change: CheckpointChange) => void;
	/** Records a message given up on (its error cut to 2,000 characters). */
	recordFailure: (change: FailureChange) => void;
};

/** Prepared once the run's tables exist; the caller wraps them in its batch's transaction. */
export function prepareCheckpointStatements(connection: Database.Database): CheckpointStatements {
	const checkpoint = connection.prepare(`
		UPDATE qwen3_migrate_runs SET cursor_rowid = MAX(cursor_rowid, @cursor), embedded = embedded + @embedded, target_done = target_done + @embedded,
			truncated = truncated + @truncated, updated_at = @now WHERE run_id = @run`);
	const failure = connection.prepare(`
		INSERT OR REPLACE INTO qwen3_migrate_failures (run_id, message_id, channel_id, kind, error, failed_at)
		VALUES (@run, @messageId, @channelId, @kind, @error, @now)`);
	return {
		advance: ({runId, cursor, embedded, truncated, now}) => {
			checkpoint.run({cursor, embedded, truncated, now, run: runId});
		},
		recordFailure: ({runId, messageId, channelId, kind, error, now}) => {
			failure.run({run: runId, messageId, channelId, kind, error: error.slice(0, 2000), now});
		},
	};
}

/** The end of a pass: the scan is complete up to `cursor` even where no batch moved it. */
export function advanceCursor(db: Database.Database, runId: string, cursor: number): void {
	db.prepare('UPDATE qwen3_migrate_runs SET cursor_rowid = MAX(cursor_rowid, ?) WHERE run_id = ?').run(cursor, runId);
}

/** Counts rows written outside the embed loop (a strategy's sample) as done. */
export function addEmbedded(db: Database.Database, runId: string, written: number): void {
	db.prepare('UPDATE qwen3_migrate_runs SET embedded = embedded + ?, target_done = target_done + ? WHERE run_id = ?').run(written, written, runId);
}
