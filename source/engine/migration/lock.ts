/**
 * One migration per workspace: a lock file holding the runner's pid. A lock whose process is gone
 * (kill -9, a crash, a reboot) is stale and is taken over.
 */
import {closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs';
import {hostname} from 'node:os';
import path from 'node:path';
import {AppError} from '../errors.js';

type LockContent = {pid: number; host: string; startedAt: string; command: string};

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function readLock(file: string): LockContent | undefined {
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
	} catch {
		return undefined;
	}
}

export type LockHandle = {release: () => void; tookOverStaleLock: LockContent | undefined};

/** Whether a live process holds the lock (for `check` and the dashboard). */
export function lockHolder(file: string): LockContent | undefined {
	const content = readLock(file);
	return content && content.host === hostname() && processAlive(content.pid) ? content : undefined;
}

export function acquireMigrationLock(file: string, command = 'migrate'): LockHandle {
	mkdirSync(path.dirname(file), {recursive: true});
	let stale: LockContent | undefined;
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const descriptor = openSync(file, 'wx');
			const content: LockContent = {pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command};
			writeSync(descriptor, JSON.stringify(content));
			closeSync(descriptor);
			let released = false;
			return {
				tookOverStaleLock: stale,
				release() {
					if (!released && readLock(file)?.pid === process.pid) {
						rmSync(file, {force: true});
					}

					released = true;
				},
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
				throw error;
			}

			const holder = readLock(file);
			if (holder && holder.pid !== process.pid && (holder.host !== hostname() || processAlive(holder.pid))) {
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
