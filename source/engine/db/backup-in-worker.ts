/** Runs backup-worker: the database backup and its verification, off the event loop. */
import {Worker} from 'node:worker_threads';

const workerUrl = new URL(`./backup-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export type BackupCheck = {quickCheck: string; messages: number; embeddings: number};

export async function backupDatabaseFile(source: string, destination: string): Promise<BackupCheck> {
	const worker = new Worker(workerUrl, {workerData: {source, destination}});
	return new Promise((resolve, reject) => {
		worker.once('message', (result: BackupCheck & {error?: string}) => {
			if (result.error) {
				reject(new Error(result.error));
			} else {
				resolve(result);
			}
		});
		worker.once('error', reject);
	});
}
