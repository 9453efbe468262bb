/**
 * Recognises a cut-over or a rollback that a kill interrupted, so that `check`, `verify`,
 * `migrate` and `rollback` all say so (and which command finishes it) instead of reporting a
 * ready workspace or reading indexes that no longer match settings.json.
 */
import type Database from 'better-sqlite3';
import {AppError} from '../errors.js';
import {countFailures, cutOverInterrupted, latestRun, liveCatchUpCutShort, type RunRecord} from '../run-store/index.js';
import type {WorkspacePaths} from '../workspace.js';
import {readRollbackJournal} from './rollback-journal.js';
import {countTargetSet} from './target-set.js';

export type Interruption = {kind: 'rollback' | 'cutover'; detail: string; fix: string};

/** The interrupted rollback or cut-over in this workspace, if any (the database may be omitted). */
export function findInterruption(paths: WorkspacePaths, db?: Database.Database): Interruption | undefined {
	if (readRollbackJournal(paths)) {
		return {
			kind: 'rollback',
			detail: 'a rollback was interrupted: settings.json, indices/ and memory.db may be half restored',
			fix: 'run `qwen3-migrate rollback --yes` again to finish it',
		};
	}

	const run = db ? latestRun(db) : undefined;
	if (cutOverInterrupted(run)) {
		return {
			kind: 'cutover',
			detail: `a cut-over to ${run!.target_model} was interrupted: the indexes may be swapped while settings.json still names the old model`,
			fix: 'run `qwen3-migrate migrate` to finish it, or `qwen3-migrate rollback --yes` to undo it',
		};
	}

	return undefined;
}

/** Throws the one-line error for a workspace that a command must not touch until it is finished. */
export function throwInterruption(interruption: Interruption): never {
	throw new AppError('migration-state', interruption.detail, {hint: interruption.fix, exitCode: 2});
}

/** `migrate` must not start over a half-done rollback: finishing it is `rollback`'s job. */
export function assertNoRollbackUnderWay(paths: WorkspacePaths): void {
	const interruption = findInterruption(paths);
	if (interruption) {
		throwInterruption(interruption);
	}
}

/** Target messages of a finished run without a new vector (nor a recorded failure): written after its switch. */
export async function messagesAfterCutOver(db: Database.Database, run: RunRecord): Promise<number> {
	const counts = await countTargetSet(db, {model: run.target_model, dimension: run.target_dimension});
	return Math.max(0, counts.total - counts.done - countFailures(db, run.run_id));
}

/** New-model rows embedded since a finished run's cut-short catch-up after the switch began (0 when none was cut short). */
export function rowsSinceLiveCatchUp(db: Database.Database, run: RunRecord): number {
	if (!liveCatchUpCutShort(run)) {
		return 0;
	}

	return (db.prepare('SELECT COUNT(*) AS n FROM embeddings WHERE id > ? AND model_version = ?').get(run.live_catch_up_from, run.target_model) as {n: number}).n;
}
