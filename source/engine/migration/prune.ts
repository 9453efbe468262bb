/** `migrate --prune-old`: after a finished cut-over, deletes the old model's vectors for good (and says so in the run store). */
import {AppError} from '../errors.js';
import type {Workspace} from '../workspace.js';
import {acquireMigrationLock} from './lock.js';
import {latestRun, markPruned} from '../run-store/index.js';

export function pruneOldVectors(workspace: Workspace): {sourceModel: string; deleted: number} {
	const lock = acquireMigrationLock(workspace.paths.lock, 'prune');
	const db = workspace.openDatabase();
	try {
		const run = latestRun(db);
		if (run?.status !== 'done' || !run.cutover_at) {
			throw new AppError('migration-state', 'old vectors can only be pruned after a finished migration (cut-over done)', {
				hint: 'run `qwen3-migrate migrate` to the end first',
				exitCode: 1,
			});
		}

		const deleted = db.transaction(() => {
			const count = db.prepare('DELETE FROM embeddings WHERE model_version = ?').run(run.source_model).changes;
			markPruned(db, run.run_id);
			return count;
		})();
		return {sourceModel: run.source_model, deleted};
	} finally {
		db.close();
		lock.release();
	}
}
