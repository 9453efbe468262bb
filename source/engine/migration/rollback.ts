/**
 * Undoes a migration, before or after cut-over: settings.json and the index files come back
 * byte-identical from their backups, and the database loses exactly the rows the migration added
 * (or, with fromBackup, is replaced by its backup). The bot's messages are never touched.
 */
import {cpSync, existsSync, renameSync, rmSync} from 'node:fs';
import Database from 'better-sqlite3';
import {openMemoryDatabase} from '../db/connection.js';
import {AppError} from '../errors.js';
import type {WorkspacePaths} from '../workspace.js';
import {hashTree, sha256File, treesEqual} from './backup.js';
import {acquireMigrationLock} from './lock.js';
import {dropStateTables, latestRun, type RunRecord} from '../run-store/index.js';

export type RollbackResult = {
	runId: string;
	afterCutover: boolean;
	removedRows: number;
	restored: string[];
	fromBackup: boolean;
};

function restoreSettings(paths: WorkspacePaths, run: RunRecord, restored: string[]): void {
	if (!existsSync(paths.settingsBackup)) {
		throw new AppError('migration-state', `${paths.settingsBackup} is missing; cannot restore settings.json`, {
			hint: 'restore settings.json by hand (set memory_system.embedding_model back to the old model), then run rollback again',
		});
	}

	if (run.settings_sha256 && sha256File(paths.settingsBackup) !== run.settings_sha256) {
		throw new AppError('migration-state', `${paths.settingsBackup} is not the backup this migration made`, {
			hint: 'it was changed after the migration started; restore settings.json by hand',
		});
	}

	cpSync(paths.settingsBackup, paths.settings);
	restored.push(paths.settings);
}

function restoreIndices(paths: WorkspacePaths, restored: string[]): void {
	rmSync(paths.indicesStaging, {recursive: true, force: true});
	rmSync(paths.indicesRetired, {recursive: true, force: true});
	if (!existsSync(paths.indicesBackup)) {
		// There were no indexes before the migration.
		rmSync(paths.indices, {recursive: true, force: true});
		return;
	}

	const temporary = `${paths.indices}.qwen3-restore`;
	rmSync(temporary, {recursive: true, force: true});
	cpSync(paths.indicesBackup, temporary, {recursive: true});
	if (!treesEqual(hashTree(temporary), hashTree(paths.indicesBackup))) {
		throw new AppError('internal', `copy of ${paths.indicesBackup} differs from the backup`, {hint: 'check the disk and run rollback again'});
	}

	rmSync(paths.indices, {recursive: true, force: true});
	renameSync(temporary, paths.indices);
	restored.push(paths.indices);
}

/** Deletes this migration's new-model rows (those above the watermark) and its bookkeeping. */
function removeNewRows(db: Database.Database, run: RunRecord): number {
	return db.transaction(() => {
		const removed = db
			.prepare('DELETE FROM embeddings WHERE id > ? AND model_version = ?')
			.run(run.embedding_watermark, run.target_model).changes;
		// Put AUTOINCREMENT's counter back too, unless the bot has added rows of its own since.
		db.prepare("UPDATE sqlite_sequence SET seq = MAX(?, COALESCE((SELECT MAX(id) FROM embeddings), 0)) WHERE name = 'embeddings'").run(run.embedding_watermark);
		dropStateTables(db);
		return removed;
	})();
}

/** Rolls back the newest run; `paths` from rollbackWorkspacePaths (the database named by the settings backup). */
export async function rollbackMigration(paths: WorkspacePaths, options: {fromBackup?: boolean} = {}): Promise<RollbackResult> {
	const lock = acquireMigrationLock(paths.lock, 'rollback');
	try {
		const db = openMemoryDatabase(paths.database);
		let run: RunRecord | undefined;
		try {
			run = latestRun(db);
		} finally {
			db.close();
		}

		if (!run) {
			throw new AppError('migration-state', `no migration to roll back in ${paths.root}`, {
				hint: 'nothing was changed; `qwen3-migrate check` shows the workspace state',
				exitCode: 1,
			});
		}

		const fromBackup = options.fromBackup === true || run.pruned_at !== null;
		const restored: string[] = [];
		let removedRows = 0;
		if (fromBackup) {
			await restoreDatabaseFromBackup(paths);
			restored.push(paths.database);
		} else {
			const writable = openMemoryDatabase(paths.database);
			try {
				removedRows = removeNewRows(writable, run);
			} finally {
				writable.close();
			}
		}

		restoreIndices(paths, restored);
		restoreSettings(paths, run, restored);
		rmSync(paths.state, {recursive: true, force: true});
		return {runId: run.run_id, afterCutover: run.cutover_at !== null, removedRows, restored, fromBackup};
	} finally {
		lock.release();
	}
}

/**
 * Replaces memory.db's content with its backup through SQLite's online backup API (page by page,
 * under SQLite's locks, so the bot's open connections see a consistent database), then drops the
 * bookkeeping that the backup also holds.
 */
async function restoreDatabaseFromBackup(paths: WorkspacePaths): Promise<void> {
	if (!existsSync(paths.databaseBackup)) {
		throw new AppError('migration-state', `${paths.databaseBackup} is missing`, {hint: 'roll back without --from-backup to remove the new rows instead'});
	}

	const source = new Database(paths.databaseBackup, {readonly: true, fileMustExist: true});
	try {
		await source.backup(paths.database);
	} finally {
		source.close();
	}

	const restored = openMemoryDatabase(paths.database);
	try {
		dropStateTables(restored);
	} finally {
		restored.close();
	}
}
