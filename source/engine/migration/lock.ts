/**
 * One migration per workspace: a lock file in the workspace's state directory holding the
 * runner's pid and its process start time. A lock whose process is gone (kill -9, a crash, a
 * reboot), or whose pid now belongs to another process, is stale and is taken over.
 */
import {closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs';
import {hostname} from 'node:os';
import path from 'node:path';
import {AppError} from '../errors.js';

type LockContent = {pid: number; host: string; startedAt: string; command: string; processStart?: number};

/**
 * Field 22 of /proc/<pid>/stat: the process's start time in clock ticks since boot. A pid that was
 * reused has a different one. Undefined where /proc is missing (then the pid alone decides).
 */
export function processStartTime(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const start = Number(fields[19]);
		return Number.isFinite(start) ? start : undefined;
	} catch {
		return undefined;
	}
}

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** The lock's holder still runs: same host, pid alive, and (when recorded) the same process start. */
function holderAlive(content: LockContent): boolean {
	// Another host's process cannot be checked from here: it is assumed alive.
	if (content.host !== hostname()) {
		return true;
	}

	if (!processAlive(content.pid)) {
		return false;
	}

	const start = processStartTime(content.pid);
	return content.processStart === undefined || start === undefined || start === content.processStart;
}

function readLock(file: string): LockContent | undefined {
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
	} catch {
		return undefined;
	}
}

export type LockHandle = {
	release: () => void;
	tookOverStaleLock: LockContent | undefined;
	/** The stale lock's pid was alive but is another process now (its start time differs). */
	staleHolderPidReused: boolean;
};

/** Whether a live process holds the lock (for `check` and the dashboard). */
export function lockHolder(file: string): LockContent | undefined {
	const content = readLock(file);
	return content && content.host === hostname() && holderAlive(content) ? content : undefined;
}

function writeLock(file: string, command: string, stale: LockContent | undefined): LockHandle {
	const descriptor = openSync(file, 'wx');
	const content: LockContent = {pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command, processStart: processStartTime(process.pid)};
	writeSync(descriptor, JSON.stringify(content));
	closeSync(descriptor);
	let released = false;
	const release = () => {
		if (!released && readLock(file)?.pid === process.pid) {
			rmSync(file, {force: true});
		}

		released = true;
		process.off('exit', release);
	};

	// Every exit path releases it, including process.exit() (a forced second Ctrl+C) and a fatal error.
	process.on('exit', release);
	return {tookOverStaleLock: stale, staleHolderPidReused: stale !== undefined && stale.host === hostname() && processAlive(stale.pid), release};
}

export function acquireMigrationLock(file: string, command = 'migrate'): LockHandle {
	mkdirSync(path.dirname(file), {recursive: true});
	let stale: LockContent | undefined;
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			return writeLock(file, command, stale);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
				throw error;
			}

			const holder = readLock(file);
			if (holder && holder.pid !== process.pid && holderAlive(holder)) {
				throw new AppError('migration-locked', `another ${holder.command} is running on this workspace (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`, {
					hint: 'watch it with `qwen3-migrate dashboard --read-only`, or stop that process first; a lock left by a dead process is cleared automatically',
					exitCode: 1,
				});
			}

			stale = holder;
			rmSync(file, {force: true});
		}
	}

	throw new AppError('migration-locked', `could not take the migration lock ${file}`, {hint: 'remove the file if no migration is running'});
}
