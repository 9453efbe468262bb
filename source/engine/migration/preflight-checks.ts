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

export type DiskEstimate = {backupBytes: number; newRowsBytes: number; walBytes: number; newIndexBytes: number; neededBytes: number; freeBytes: number};

/** Per-row overhead of an embeddings row beside its blob (ids, model name, B-tree). */
const rowOverheadBytes = 160;
/** B-tree pages are not full: a 3,000-message run grew memory.db by ~1.25× the raw row bytes. */
const pageFillFactor = 1.25;
/**
 * The WAL holds each committed page until a checkpoint resets it, and every commit logs the B-tree
 * and run-store pages again: measured at up to 1.9× the new rows (a 3,000-message run, 256-d).
 */
const walGrowthFactor = 2;
/** Per-message bytes of a `.mapping` pickle (the id twice, as an int key and a str key). */
const mappingBytesPerMessage = 64;
/**
 * Slack for checkpoint timing (the WAL's peak varies run to run), the log file and the run's own
 * tables. 1.2 was measured to be exceeded by 0.1% on a busy machine (18.85 MB peak against an
 * 18.84 MB estimate): an estimate must cover the peak, so err on the side of refusing early.
 */
const margin = 1.5;
const logAndStateBytes = 1024 * 1024;

/**
 * Peak extra disk of a run: the backups, the new rows, the WAL they pass through, and the staged
 * indexes with their mappings (the cut-over renames, so the old indexes cost nothing more).
 */
export function estimateDisk(paths: WorkspacePaths, remaining: number, total: number, dimension: number, backupsExist: boolean): DiskEstimate {
	const backupBytes = backupsExist
		? 0
		: fileSize(paths.database) + fileSize(`${paths.database}-wal`) + directorySize(paths.indices) + fileSize(paths.settings);
	const newRowsBytes = remaining * (dimension * 4 + rowOverheadBytes) * pageFillFactor;
	const walBytes = newRowsBytes * walGrowthFactor;
	const newIndexBytes = total * (dimension * 4 + mappingBytesPerMessage) * 1.05;
	const neededBytes = (backupBytes + newRowsBytes + walBytes + newIndexBytes) * margin + logAndStateBytes;
	return {backupBytes, newRowsBytes, walBytes, newIndexBytes, neededBytes, freeBytes: freeDiskBytes(paths.root)};
}

export function assertDiskSpace(estimate: DiskEstimate, root: string): void {
	if (estimate.freeBytes < estimate.neededBytes) {
		throw new AppError(
			'disk-space',
			`not enough free disk on ${root}: ${formatBytes(estimate.freeBytes)} free, the migration needs about ${formatBytes(estimate.neededBytes)} (backups ${formatBytes(estimate.backupBytes)}, new vectors ${formatBytes(estimate.newRowsBytes)}, WAL growth ${formatBytes(estimate.walBytes)}, new indexes ${formatBytes(estimate.newIndexBytes)})`,
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
