/** Which processes hold a file open, read from /proc/<pid>/fd (Linux). The tool never kills any. */
import {readdirSync, readFileSync, readlinkSync} from 'node:fs';
import path from 'node:path';

export type FileHolder = {pid: number; name: string; command: string};

export function processesHolding(file: string): FileHolder[] {
	const targets = new Set([file, `${file}-wal`, `${file}-shm`].map(candidate => path.resolve(candidate)));
	const holders: FileHolder[] = [];
	let pids: string[];
	try {
		pids = readdirSync('/proc').filter(name => /^\d+$/.test(name));
	} catch {
		return holders;
	}

	for (const pid of pids) {
		if (Number(pid) === process.pid) {
			continue;
		}

		let descriptors: string[];
		try {
			descriptors = readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}

		const holds = descriptors.some(descriptor => {
			try {
				return targets.has(readlinkSync(`/proc/${pid}/fd/${descriptor}`));
			} catch {
				return false;
			}
		});
		if (holds) {
			const read = (name: string) => {
				try {
					return readFileSync(`/proc/${pid}/${name}`, 'utf8');
				} catch {
					return '';
				}
			};

			holders.push({pid: Number(pid), name: read('comm').trim(), command: read('cmdline').split('\0').join(' ').trim().slice(0, 200)});
		}
	}

	return holders;
}

/** Resident memory of another process in bytes (VmRSS), or undefined. */
export function processRssBytes(pid: number): number | undefined {
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}
