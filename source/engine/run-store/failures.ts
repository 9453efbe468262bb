/** Messages a run could not embed (qwen3_migrate_failures): recorded, listed, counted, retried. */
import type Database from 'better-sqlite3';
import {stateTablesExist} from './schema.js';

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

/**
 * A condition for a query over `messages` (aliased `alias`) that leaves out the messages the run
 * bound to `@run` gave up on; the target-set reader embeds it so its scan stays one statement.
 */
export function notFailedSql(alias: string): string {
	return `NOT EXISTS (SELECT 1 FROM qwen3_migrate_failures f WHERE f.run_id = @run AND f.message_id = ${alias}.message_id)`;
}

/**
 * A condition over `embeddings` (aliased `alias`) that leaves out messages recorded as odd rows
 * (kind 'invalid-row', any run): their corrupt pre-existing new-model row is neither indexed nor
 * counted. Callers check stateTablesExist first.
 */
export function notInvalidRowSql(alias: string): string {
	return `NOT EXISTS (SELECT 1 FROM qwen3_migrate_failures f WHERE f.message_id = ${alias}.message_id AND f.kind = 'invalid-row')`;
}
