/** `migrate --prune-old`: after a finished cut-over, deletes the old model's vectors for good. */
import {openMemoryDatabase} from '../db/connection.js';
import {AppError} from '../errors.js';
import {loadSettings} from '../settings/load.js';
import {workspacePaths} from '../workspace.js';
import {acquireMigrationLock} from './lock.js';
import {latestRun, updateRun} from './state.js';

export function pruneOldVectors(root: string): {sourceModel: string; deleted: number} {
	const paths = workspacePaths(root, loadSettings(workspacePaths(root).settings).settings.memory_system.database_path);
	const lock = acquireMigrationLock(paths.lock, 'prune');
	const db = openMemoryDatabase(paths.database);
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
			updateRun(db, run.run_id, {pruned_at: new Date().toISOString()});
			return count;
		})();
		return {sourceModel: run.source_model, deleted};
	} finally {
		db.close();
		lock.release();
	}
}
