/** Moves WAL checkpoints off the engine's thread for the length of a run. */
import {Worker} from 'node:worker_threads';
import type Database from 'better-sqlite3';

const workerUrl = new URL(`./checkpoint-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export class BackgroundCheckpointer {
	private readonly worker: Worker;

	constructor(
		private readonly db: Database.Database,
		databasePath: string,
		intervalMs = 2000,
	) {
		db.pragma('wal_autocheckpoint = 0');
		this.worker = new Worker(workerUrl, {workerData: {databasePath, intervalMs}});
		this.worker.unref();
	}

	/** Stops the worker after a last checkpoint; the engine's connection checkpoints itself again. */
	async stop(): Promise<void> {
		this.db.pragma('wal_autocheckpoint = 1000');
		await new Promise<void>(resolve => {
			this.worker.once('exit', () => resolve());
			this.worker.postMessage('stop');
		});
	}
}
