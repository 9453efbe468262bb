/**
 * The guide's backups, made before the first write: settings.json.backup, a consistent online
 * SQLite backup (safe while the bot writes), and indices.backup/. Each is verified after writing;
 * a verified backup of the same run is reused on resume. A backup the tool did not make is moved
 * aside, never overwritten.
 */
import {createHash} from 'node:crypto';
import {copyFileSync, createReadStream, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs';
import {cp, rm} from 'node:fs/promises';
import path from 'node:path';
import type Database from 'better-sqlite3';
import {backupDatabaseFile} from '../db/backup-in-worker.js';
import {AppError} from '../errors.js';
import {formatFileStamp} from '../log/format.js';
import {readBackupRegistry, writeBackupRegistry} from '../run-store/index.js';
import type {WorkspacePaths} from '../workspace.js';

export function sha256File(file: string): string {
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** sha256 of a file read as a stream: large index files hash without blocking the event loop. */
async function sha256FileAsync(file: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(file, {highWaterMark: 1 << 20})) {
		hash.update(chunk as Buffer);
	}

	return hash.digest('hex');
}

/** Every file under `directory` (recursively), as full paths; none when it does not exist. */
function filesUnder(directory: string): string[] {
	if (!existsSync(directory)) {
		return [];
	}

	return readdirSync(directory, {withFileTypes: true, recursive: true})
		.filter(entry => entry.isFile())
		.map(entry => path.join(entry.parentPath, entry.name));
}

/** Relative path → sha256 of every file under `directory`. */
export function hashTree(directory: string): Map<string, string> {
	return new Map(filesUnder(directory).map(file => [path.relative(directory, file), sha256File(file)]));
}

/** hashTree with streamed reads, so large index files never hold the event loop. */
async function hashTreeAsync(directory: string): Promise<Map<string, string>> {
	const hashes = new Map<string, string>();
	for (const file of filesUnder(directory)) {
		hashes.set(path.relative(directory, file), await sha256FileAsync(file));
	}

	return hashes;
}

export function treesEqual(a: Map<string, string>, b: Map<string, string>): boolean {
	return a.size === b.size && [...a].every(([name, hash]) => b.get(name) === hash);
}

export function directorySize(directory: string): number {
	return filesUnder(directory).reduce((total, file) => total + statSync(file).size, 0);
}

/** How many older backup sets (moved aside by earlier runs) a run keeps unless told otherwise. */
export const defaultKeptBackupSets = 2;

const stampPattern = /^\d{8}_\d{6}(?:-\d+)?$/;

/** `file`'s timestamped generations (`file.YYYYMMDD_HHMMSS`, `-N` when one second saw two), newest first. */
export function olderGenerations(file: string): string[] {
	const directory = path.dirname(file);
	const prefix = `${path.basename(file)}.`;
	if (!existsSync(directory)) {
		return [];
	}

	return readdirSync(directory)
		.filter(name => name.startsWith(prefix) && stampPattern.test(name.slice(prefix.length)))
		.sort((a, b) => b.localeCompare(a, 'en', {numeric: true}))
		.map(name => path.join(directory, name));
}

function identity(file: string): string {
	const stat = statSync(file);
	if (!stat.isDirectory()) {
		return `${stat.size}:${stat.mtimeMs}`;
	}

	const files = filesUnder(file)
		.map(entry => {
			const {size, mtimeMs} = statSync(entry);
			return `${path.relative(file, entry)}=${size}:${mtimeMs}`;
		})
		.sort();
	return `dir:${createHash('sha256').update(files.join('\n')).digest('hex')}`;
}

/** Moves an existing backup out of the way, keeping it under a timestamped name. */
function moveAside(file: string, now: Date): string | undefined {
	if (!existsSync(file)) {
		return undefined;
	}

	const stamped = `${file}.${formatFileStamp(now)}`;
	let target = stamped;
	for (let suffix = 2; existsSync(target); suffix++) {
		target = `${stamped}-${suffix}`;
	}

	renameSync(file, target);
	return target;
}

export type BackupRecord = {settingsSha256: string; messages: number; embeddings: number};

export type BackupResult = BackupRecord & {
	movedAside: string[];
	/** Older generations deleted because more than `keepOlder` were there. */
	removed: string[];
};

export type BackupOptions = {
	now?: Date;
	/** Older backup sets to keep beside the new one (default 2); older ones are deleted. */
	keepOlder?: number;
	/** Called before each backup is written (the ENOSPC fault seam). */
	beforeWrite?: () => void;
};

/** Counts that the database backup must reproduce. */
function rowCounts(db: Database.Database): {messages: number; embeddings: number} {
	const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as {n: number}).n;
	return {messages: count('messages'), embeddings: count('embeddings')};
}

/** Writes and verifies the three backups; returns the row counts the database backup holds at least. */
async function writeBackups(db: Database.Database, paths: WorkspacePaths, beforeWrite: () => void): Promise<{messages: number; embeddings: number}> {
	// A symlinked settings.json is backed up as its content, never as a second link to the live file.
	rmSync(paths.settingsBackup, {force: true});
	beforeWrite();
	copyFileSync(paths.settings, paths.settingsBackup);
	if (sha256File(paths.settings) !== sha256File(paths.settingsBackup)) {
		throw new AppError('internal', `${paths.settingsBackup}: copy differs from settings.json`, {hint: 'check the disk; nothing was changed'});
	}

	const before = rowCounts(db);
	beforeWrite();
	const check = await backupDatabaseFile(paths.database, paths.databaseBackup);
	if (check.quickCheck !== 'ok' || check.messages < before.messages || check.embeddings < before.embeddings) {
		throw new AppError('internal', `${paths.databaseBackup}: backup failed verification (quick_check ${check.quickCheck})`, {
			hint: 'check free disk space and run `migrate` again; nothing was changed',
		});
	}

	await rm(paths.indicesBackup, {recursive: true, force: true});
	if (existsSync(paths.indices)) {
		beforeWrite();
		await cp(paths.indices, paths.indicesBackup, {recursive: true, dereference: true});
		if (!treesEqual(await hashTreeAsync(paths.indices), await hashTreeAsync(paths.indicesBackup))) {
			throw new AppError('internal', `${paths.indicesBackup}: copy differs from ${paths.indices}`, {hint: 'check the disk; nothing was changed'});
		}
	}

	return before;
}

export async function makeBackups(db: Database.Database, paths: WorkspacePaths, options: BackupOptions = {}): Promise<BackupResult> {
	const {now = new Date(), keepOlder = defaultKeptBackupSets, beforeWrite = () => undefined} = options;
	const backups = [paths.settingsBackup, paths.databaseBackup, paths.indicesBackup];
	const relative = (file: string) => path.relative(paths.root, file);
	const manifest = readBackupRegistry(paths);
	const movedAside: string[] = [];
	for (const file of backups) {
		const ours = existsSync(file) && manifest.current[relative(file)] === identity(file);
		const moved = moveAside(file, now);
		if (moved) {
			movedAside.push(moved);
			if (ours) {
				manifest.ours.push(relative(moved));
			}
		}
	}

	// Without a bound, every migrate after a rollback would leave another full copy of the database.
	// Only this tool's own older backups are deleted; hand-made ones stay.
	const removed: string[] = [];
	const ours = new Set(manifest.ours);
	for (const file of backups) {
		for (const old of olderGenerations(file).filter(generation => ours.has(relative(generation))).slice(keepOlder)) {
			await rm(old, {recursive: true, force: true});
			removed.push(old);
		}
	}

	manifest.ours = manifest.ours.filter(generation => existsSync(path.join(paths.root, generation)));
	writeBackupRegistry(paths, manifest);
	let rowCountsAtBackup: {messages: number; embeddings: number};
	try {
		rowCountsAtBackup = await writeBackups(db, paths, beforeWrite);
	} catch (error) {
		// A half-written set (a full disk, say) is removed: the next run would move it aside as a
		// foreign backup and keep it forever, on a disk that is already short of space.
		for (const file of backups) {
			await rm(file, {recursive: true, force: true});
		}

		throw error;
	}

	for (const file of backups) {
		if (existsSync(file)) {
			manifest.current[relative(file)] = identity(file);
		}
	}

	writeBackupRegistry(paths, manifest);
	return {settingsSha256: sha256File(paths.settingsBackup), ...rowCountsAtBackup, movedAside, removed};
}

/** Whether the backups on disk are the ones this run made (checked on resume). */
export function backupsIntact(paths: WorkspacePaths, settingsSha256: string | null): boolean {
	return (
		settingsSha256 !== null &&
		existsSync(paths.settingsBackup) &&
		sha256File(paths.settingsBackup) === settingsSha256 &&
		existsSync(paths.databaseBackup)
	);
}
