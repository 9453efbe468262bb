/**
 * The backup registry: which backups this tool made. It is a JSON file beside the backups rather
 * than a table in memory.db, because it must outlive what happens to memory.db — a rollback from
 * backup replaces the database, and rollback and reset drop the run's tables.
 */
import {readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {WorkspacePaths} from '../workspace.js';

/**
 * Which backups this tool made, so that only those are ever deleted: a backup someone made by
 * hand under the guide's name is moved aside like ours but kept for good. A backup is known by
 * its size and modification time (a rename keeps both), a directory by its files'.
 */
export type BackupManifest = {
	/** Backup path (relative to the workspace) → identity of the one this tool wrote there last. */
	current: Record<string, string>;
	/** Timestamped generations (relative paths) that were this tool's backups. */
	ours: string[];
};

function registryFile(paths: WorkspacePaths): string {
	return path.join(path.dirname(paths.databaseBackup), 'qwen3-migrate-backups.json');
}

export function readBackupRegistry(paths: WorkspacePaths): BackupManifest {
	try {
		const parsed = JSON.parse(readFileSync(registryFile(paths), 'utf8')) as Partial<BackupManifest>;
		return {current: parsed.current ?? {}, ours: Array.isArray(parsed.ours) ? parsed.ours : []};
	} catch {
		// None yet (or unreadable): nothing is known to be ours, so nothing will be deleted.
		return {current: {}, ours: []};
	}
}

export function writeBackupRegistry(paths: WorkspacePaths, manifest: BackupManifest): void {
	const file = registryFile(paths);
	writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, undefined, '\t')}\n`);
	renameSync(`${file}.tmp`, file);
}
