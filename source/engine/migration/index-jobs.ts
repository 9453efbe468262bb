/** Runs index builds and verifications in the index worker thread and relays its progress. */
import {Worker} from 'node:worker_threads';
import {AppError} from '../errors.js';
import {diskFullFrom} from './disk-full.js';
import type {IndexJob, IndexWorkerMessage} from './index-protocol.js';

const workerUrl = new URL(`./index-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export async function runIndexJob(job: IndexJob, onMessage: (message: IndexWorkerMessage) => void): Promise<IndexWorkerMessage & {type: 'done' | 'verified'}> {
	const worker = new Worker(workerUrl, {workerData: job});
	return new Promise((resolve, reject) => {
		let settled = false;
		worker.on('message', (message: IndexWorkerMessage) => {
			if (message.type === 'error') {
				settled = true;
				// A full disk (the worker checks space before each FAISS write) is a clean stop, not an index fault.
				const diskFull = diskFullFrom(new Error(message.message), job.stagingDir);
				reject(diskFull ?? new AppError('index', `index ${job.task} failed: ${message.message}`, {hint: 'run `migrate` again to retry; `qwen3-migrate verify` shows the state'}));
			} else if (message.type === 'done' || message.type === 'verified') {
				settled = true;
				resolve(message);
			} else {
				onMessage(message);
			}
		});
		worker.on('error', error => {
			settled = true;
			reject(error);
		});
		worker.on('exit', code => {
			if (!settled) {
				reject(new AppError('index', `index worker exited with code ${code} before finishing`));
			}
		});
	});
}
