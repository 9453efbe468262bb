/**
 * Undoes a migration, before or after cut-over: settings.json and the index files come back
 * byte-identical from their backups, and the database loses exactly the rows the migration added
 * (or, with fromBackup, is replaced by its backup). The bot's messages are never touched.
 *
 * Crash-safe like SQLite's own journal: a journal file is written first; then the restored files
 * are staged beside their targets and swapped in by atomic renames; then our rows go; the journal
 * (with the state directory) goes last. Every step is redone from the backups on a rerun, so
 * `rollback` after a kill -9 at any instant ends exactly where an uninterrupted one would.
 */
import {copyFileSync, cpSync, existsSync, rmSync} from 'node:fs';
import Database from 'better-sqlite3';
import {openMemoryDatabase} from '../db/connection.js';
import {AppError} from '../errors.js';
import {dropStateTables, latestRun, stateTablesExist} from '../run-store/index.js';
import {renameDurably} from '../util/atomic-write.js';
import {swapDirectory, swapPlaces} from '../util/directory-swap.js';
import {killPoint} from '../util/kill-points.js';
import {followLinks} from '../util/symlinks.js';
import type {WorkspacePaths} from '../workspace.js';
import {hashTree, sha256File, treesEqual} from './backup.js';
import {acquireMigrationLock} from './lock.js';
import {journalFor, readRollbackJournal, writeRollbackJournal, type RollbackJournal} from './rollback-journal.js';

export type RollbackResult = {
	runId: string;
	afterCutover: boolean;
	removedRows: number;
	restored: string[];
	fromBackup: boolean;
	/** This call finished a rollback that an earlier one began and did not end. */
	resumed: boolean;
};

function assertSettingsBackup(paths: WorkspacePaths, journal: RollbackJournal): void {
	if (!existsSync(paths.settingsBackup)) {
		throw new AppError('migration-state', `${paths.settingsBackup} is missing; cannot restore settings.json`, {
			hint: 'restore settings.json by hand (set memory_system.embedding_model back to the old model), then run rollback again',
		});
	}

	if (journal.settingsSha256 && sha256File(paths.settingsBackup) !== journal.settingsSha256) {
		throw new AppError('migration-state', `${paths.settingsBackup} is not the backup this migration made`, {
			hint: 'it was changed after the migration started; restore settings.json by hand',
		});
	}
}

/** Copies the settings backup beside settings.json's real file (a symlink is followed), checked. */
function stageSettings(paths: WorkspacePaths): string {
	const staged = `${followLinks(paths.settings)}.qwen3-restore`;
	copyFileSync(paths.settingsBackup, staged);
	if (sha256File(staged) !== sha256File(paths.settingsBackup)) {
		throw new AppError('internal', `copy of ${paths.settingsBackup} differs from the backup`, {hint: 'check the disk and run rollback again'});
	}

	return staged;
}

function restoreIndices(paths: WorkspacePaths): void {
	rmSync(paths.indicesStaging, {recursive: true, force: true});
	if (!existsSync(paths.indicesBackup)) {
		// There were no indexes before the migration.
		rmSync(paths.indices, {recursive: true, force: true});
		return;
	}

	const {incoming} = swapPlaces(paths.indices);
	rmSync(incoming, {recursive: true, force: true});
	copyTree(paths.indicesBackup, incoming);
	killPoint('rollback:indices-staged');
	swapDirectory(paths.indices, incoming, {retired: 'rollback:indices-retired'});
}

function copyTree(from: string, to: string): void {
	// dereference: the copy holds real files even where the backup's own entries are links.
	cpSync(from, to, {recursive: true, dereference: true});
	if (!treesEqual(hashTree(to), hashTree(from))) {
		throw new AppError('internal', `copy of ${from} differs from the backup`, {hint: 'check the disk and run rollback again'});
	}
}

/**
 * Deletes this migration's new-model rows (those above the watermark) and its bookkeeping, in one
 * transaction, and returns how many rows the whole rollback removed. The count goes into the
 * journal inside that transaction: a rerun after a kill finds the bookkeeping tables gone exactly
 * when the deletion committed, and then adds the journaled count to what it removes itself.
 */
function removeNewRows(db: Database.Database, paths: WorkspacePaths, journal: RollbackJournal): number {
	const committedBefore = !stateTablesExist(db);
	return db.transaction(() => {
		const removedNow = db
			.prepare('DELETE FROM embeddings WHERE id > ? AND model_version = ?')
			.run(journal.embeddingWatermark, journal.targetModel).changes;
		const removed = removedNow + (committedBefore ? (journal.removedRows ?? 0) : 0);
		// Put AUTOINCREMENT's counter back too, unless the bot has added rows of its own since.
		db.prepare("UPDATE sqlite_sequence SET seq = MAX(?, COALESCE((SELECT MAX(id) FROM embeddings), 0)) WHERE name = 'embeddings'").run(journal.embeddingWatermark);
		writeRollbackJournal(paths, {...journal, removedRows: removed});
		killPoint('rollback:rows-counted');
		dropStateTables(db);
		return removed;
	})();
}

/** The journal to follow: an interrupted rollback's, or a new one for the newest run. */
function openJournal(paths: WorkspacePaths, fromBackupRequested: boolean): {journal: RollbackJournal; resumed: boolean} {
	const interrupted = readRollbackJournal(paths);
	if (interrupted) {
		return {journal: interrupted, resumed: true};
	}

	const db = openMemoryDatabase(paths.database);
	let run;
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

	return {journal: journalFor(run, fromBackupRequested || run.pruned_at !== null), resumed: false};
}

/** The file steps: both restores staged and swapped in; safe to repeat from the backups. */
function restoreFiles(paths: WorkspacePaths): string[] {
	const stagedSettings = stageSettings(paths);
	killPoint('rollback:settings-staged');
	restoreIndices(paths);
	killPoint('rollback:indices-swapped');
	renameDurably(stagedSettings, followLinks(paths.settings));
	killPoint('rollback:settings-swapped');
	return existsSync(paths.indicesBackup) ? [paths.indices, paths.settings] : [paths.settings];
}

/** Rolls back the newest run (or finishes an interrupted rollback); `paths` from rollbackWorkspacePaths. */
export async function rollbackMigration(paths: WorkspacePaths, options: {fromBackup?: boolean} = {}): Promise<RollbackResult> {
	const lock = acquireMigrationLock(paths.lock, 'rollback');
	try {
		const {journal, resumed} = openJournal(paths, options.fromBackup === true);
		assertSettingsBackup(paths, journal);
		if (journal.fromBackup && !existsSync(paths.databaseBackup)) {
			throw new AppError('migration-state', `${paths.databaseBackup} is missing`, {hint: 'roll back without --from-backup to remove the new rows instead'});
		}

		if (!resumed) {
			writeRollbackJournal(paths, journal);
			killPoint('rollback:journaled');
		}

		const restored = restoreFiles(paths);
		let removedRows = 0;
		if (journal.fromBackup) {
			await restoreDatabaseFromBackup(paths);
			restored.push(paths.database);
		} else {
			const writable = openMemoryDatabase(paths.database);
			try {
				removedRows = removeNewRows(writable, paths, journal);
			} finally {
				writable.close();
			}
		}

		killPoint('rollback:rows-removed');
		// Last: the journal goes with the state directory; until now a rerun redoes the steps above.
		rmSync(paths.state, {recursive: true, force: true});
		return {runId: journal.runId, afterCutover: journal.afterCutover, removedRows, restored, fromBackup: journal.fromBackup, resumed};
	} finally {
		lock.release();
	}
}

/**
 * Replaces memory.db's content with its backup through SQLite's online backup API (page by page,
 * under SQLite's locks, in one write transaction on the destination, so the bot's connections see
 * the old or the new database and a kill leaves the old), then drops the bookkeeping that the
 * backup also holds. The database path is followed through a symlink.
 */
async function restoreDatabaseFromBackup(paths: WorkspacePaths): Promise<void> {
	const source = new Database(paths.databaseBackup, {readonly: true, fileMustExist: true});
	try {
		await source.backup(followLinks(paths.database));
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
