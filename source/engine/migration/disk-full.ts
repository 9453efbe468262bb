/**
 * Turns a full disk met by any writer into the one clean stop the user can act on: which volume,
 * roughly how much more the rest of the run needs, and that resuming loses nothing.
 */
import {readFileSync, realpathSync} from 'node:fs';
import path from 'node:path';
import {DiskFullError, isDiskFull} from '../errors.js';
import {formatBytes, freeDiskBytes} from '../util/disk.js';

/** What the rest of the run writes to the database's volume: rows (twice: WAL, then the file) and indexes. */
export function remainingWriteBytes(context: {counters: {done: number; total: number}; target: {dimension: number}}): number {
	const {done, total} = context.counters;
	const vectorBytes = context.target.dimension * 4;
	return Math.max(0, total - done) * (vectorBytes + 160) * 2 + total * vectorBytes * 1.05;
}

/** The mount point holding `file` (longest matching entry of /proc/self/mountinfo), else its directory. */
export function volumeOf(file: string): string {
	let real: string;
	try {
		real = realpathSync(file);
	} catch {
		real = path.resolve(file);
	}

	try {
		const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
			.split('\n')
			.map(line => line.split(' ')[4]?.replaceAll('\\040', ' '))
			.filter((mount): mount is string => mount !== undefined && (real === mount || real.startsWith(mount.endsWith('/') ? mount : `${mount}/`)));
		return mounts.sort((a, b) => b.length - a.length)[0] ?? path.dirname(real);
	} catch {
		return path.dirname(real);
	}
}

/**
 * `error` as a DiskFullError when the disk is full, else undefined. `neededBytes` is what the rest
 * of the run still writes (preflight's estimate); at least 64 MB is asked for, since SQLite and
 * FAISS need room to finish even the write that failed.
 */
export function diskFullFrom(error: unknown, where: string, neededBytes = 0): DiskFullError | undefined {
	if (!isDiskFull(error)) {
		return undefined;
	}

	if (error instanceof DiskFullError) {
		return error;
	}

	let free = 0;
	try {
		free = freeDiskBytes(path.dirname(path.resolve(where)));
	} catch {
		// The directory itself may be gone; then the whole estimate is what is needed.
	}

	const more = Math.max(64 * 1024 * 1024, neededBytes - free);
	return new DiskFullError(volumeOf(path.dirname(path.resolve(where))), formatBytes(more), error);
}
