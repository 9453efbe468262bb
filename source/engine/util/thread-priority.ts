/**
 * Lowers the scheduling priority of the calling thread (Linux: nice is per thread). The model and
 * index workers call it before onnxruntime or FAISS start their thread pools, which inherit it: the
 * model still gets every idle core, but the engine's event loop (and the dashboard) wins the CPU
 * the moment it has work, so it never waits behind inference threads.
 */
import {readlinkSync} from 'node:fs';
import os from 'node:os';

export function lowerThreadPriority(niceness = 5): boolean {
	try {
		const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
		if (!Number.isInteger(tid)) {
			return false;
		}

		os.setPriority(tid, Math.min(19, os.getPriority(tid) + niceness));
		return true;
	} catch {
		// Not Linux, or not permitted: run at normal priority.
		return false;
	}
}
