/**
 * Whether `migrate` has anything to do: a finished run (unless failed messages are to be retried
 * or the old bot stored messages after the switch), settings that already name the target, or a
 * run in progress towards another target (refused: finish it or roll it back).
 */
import type Database from 'better-sqlite3';
import {AppError} from '../errors.js';
import {countFailures, liveCatchUpCutShort, recordLiveCatchUp, type RunRecord} from '../run-store/index.js';
import type {Workspace} from '../workspace.js';
import {assertNoRollbackUnderWay, messagesAfterCutOver, rowsSinceLiveCatchUp} from './interrupted.js';

export async function nothingToDo({paths, memory}: Workspace, db: Database.Database, previous: RunRecord | undefined, retryFailed: boolean | undefined): Promise<{status: 'noop'; message: string} | undefined> {
	const target = memory.migration.target_model;
	assertNoRollbackUnderWay(paths);
	if (previous?.status === 'done' && retryFailed && countFailures(db, previous.run_id) > 0) {
		return undefined;
	}

	// Messages the old bot stored after the switch: a finished run embeds them (not "nothing to do");
	// so too when its catch-up after the switch was cut short with rows the live indexes may lack.
	if (previous?.status === 'done' && ((await messagesAfterCutOver(db, previous)) > 0 || rowsSinceLiveCatchUp(db, previous) > 0)) {
		return undefined;
	}

	if (liveCatchUpCutShort(previous)) {
		// Cut short before it embedded anything: nothing is missing from the live indexes.
		recordLiveCatchUp(db, previous!.run_id, undefined);
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
