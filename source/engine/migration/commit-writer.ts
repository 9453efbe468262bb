/**
 * The engine's side of the commit worker: `commit` and `recordFailure` resolve once the
 * transaction is durable in the WAL, in the order they were asked for. A failed write rejects with
 * an Error carrying SQLite's message and code, so busy errors classify (and retry) as before.
 */
import {Worker} from 'node:worker_threads';
import type {CommitJob, CommitRequest, CommitResponse, CommitRow} from './commit-protocol.js';

const workerUrl = new URL(`./commit-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

type Pending = {resolve: (embedded: number) => void; reject: (error: Error) => void};

function sqliteError(message: string, code: string | undefined): Error {
	return Object.assign(new Error(message), code === undefined ? {} : {code});
}

/** Distributes the request type over the union, so each variant keeps its own fields. */
type RequestBody<T> = T extends {id: number} ? Omit<T, 'id'> : never;

export class CommitWriter {
	private readonly worker: Worker;
	private readonly pending = new Map<number, Pending>();
	private nextId = 1;
	private failure: Error | undefined;
	private closed = false;
	private readonly exited: Promise<void>;

	constructor(job: CommitJob) {
		this.worker = new Worker(workerUrl, {workerData: job});
		this.worker.on('message', (message: CommitResponse) => this.onMessage(message));
		this.worker.on('error', error => this.failAll(error));
		this.exited = new Promise(resolve => {
			this.worker.once('exit', code => {
				this.failAll(new Error(`commit worker exited with code ${code}`));
				resolve();
			});
		});
	}

	/** Inserts the batch's new rows and moves the run's checkpoint, in one transaction. */
	async commit(runId: string, model: string, rows: readonly CommitRow[], vectors: Float32Array, dimension: number, cursor: number, truncated: number): Promise<number> {
		const identities = rows.map(({messageId, channelId, userId}) => ({messageId, channelId, userId}));
		// A copy of just this batch's part (a view would send its whole buffer), handed over, not cloned.
		const own = vectors.slice();
		return this.request({type: 'commit', runId, model, rows: identities, vectors: own, dimension, cursor, truncated}, [own.buffer]);
	}

	/** Records a message that cannot be embedded, with the checkpoint, in one transaction. */
	async recordFailure(runId: string, row: CommitRow, kind: string, error: string, cursor: number): Promise<void> {
		const {messageId, channelId, userId} = row;
		await this.request({type: 'failure', runId, row: {messageId, channelId, userId}, kind, error, cursor});
	}

	/** Waits for the worker to close its connection. Requests still pending fail. */
	async close(): Promise<void> {
		if (this.closed) {
			return;
		}

		this.closed = true;
		this.worker.postMessage({type: 'close'} satisfies CommitRequest);
		await this.exited;
	}

	private async request(body: RequestBody<CommitRequest>, transfer: ArrayBuffer[] = []): Promise<number> {
		if (this.failure) {
			throw this.failure;
		}

		if (this.closed) {
			throw new Error('commit worker is closed');
		}

		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, {resolve, reject});
			this.worker.postMessage({...body, id}, transfer);
		});
	}

	private onMessage(message: CommitResponse): void {
		if (message.type === 'ready') {
			return;
		}

		if (message.type === 'fatal') {
			this.failAll(sqliteError(message.message, message.code));
			return;
		}

		const pending = this.pending.get(message.id);
		this.pending.delete(message.id);
		if (message.type === 'done') {
			pending?.resolve(message.embedded);
		} else {
			pending?.reject(sqliteError(message.message, message.code));
		}
	}

	private failAll(error: Error): void {
		this.failure ??= error;
		for (const pending of this.pending.values()) {
			pending.reject(this.failure);
		}

		this.pending.clear();
	}
}
