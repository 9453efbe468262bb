/** Checks the preflight phase (and plan, check) makes before anything is written: disk space, and what the source vectors look like. */
import {existsSync, statSync} from 'node:fs';
import type Database from 'better-sqlite3';
import {AppError} from '../errors.js';
import type {WorkspacePaths} from '../workspace.js';
import {freeDiskBytes, formatBytes} from '../util/disk.js';
import {directorySize} from './backup.js';

function fileSize(file: string): number {
	return existsSync(file) ? statSync(file).size : 0;
}

export type DiskEstimate = {backupBytes: number; newRowsBytes: number; newIndexBytes: number; neededBytes: number; freeBytes: number};

/** Per-row overhead of an embeddings row beside its blob (ids, model name, B-tree). */
const rowOverheadBytes = 160;

export function estimateDisk(paths: WorkspacePaths, remaining: number, total: number, dimension: number, backupsExist: boolean): DiskEstimate {
	const backupBytes = backupsExist
		? 0
		: fileSize(paths.database) + fileSize(`${paths.database}-wal`) + directorySize(paths.indices) + fileSize(paths.settings);
	const newRowsBytes = remaining * (dimension * 4 + rowOverheadBytes);
	const newIndexBytes = total * dimension * 4 * 1.05;
	return {backupBytes, newRowsBytes, newIndexBytes, neededBytes: backupBytes + newRowsBytes + newIndexBytes, freeBytes: freeDiskBytes(paths.root)};
}

export function assertDiskSpace(estimate: DiskEstimate, root: string): void {
	if (estimate.freeBytes < estimate.neededBytes) {
		throw new AppError(
			'disk-space',
			`not enough free disk on ${root}: ${formatBytes(estimate.freeBytes)} free, the migration needs about ${formatBytes(estimate.neededBytes)} (backups ${formatBytes(estimate.backupBytes)}, new vectors ${formatBytes(estimate.newRowsBytes)}, new indexes ${formatBytes(estimate.newIndexBytes)})`,
			{hint: 'free some space (old logs, the model cache data/memory/models) and run `migrate` again', exitCode: 1},
		);
	}
}

/**
 * The dimension most of a model's rows have (0 when there are none), judged on its first 2,000
 * rows: a full scan would hold the event loop on a large database, and `verify` reports mixes.
 */
export function sourceDimension(db: Database.Database, sourceModel: string): number {
	const row = db
		.prepare('SELECT dimension FROM (SELECT dimension FROM embeddings WHERE model_version = ? LIMIT 2000) GROUP BY dimension ORDER BY COUNT(*) DESC LIMIT 1')
		.get(sourceModel) as {dimension: number} | undefined;
	return row?.dimension ?? 0;
}
