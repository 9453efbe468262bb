/**
 * The engine's side of the commit worker: `commit` and `recordFailure` resolve once the
 * transaction is durable in the WAL, in the order they were asked for. A failed write rejects with
 * an Error carrying SQLite's message and code, so busy errors classify (and retry) as before.
 */
import {Worker} from 'node:worker_threads';
import {remoteError, WorkerRequests} from '../util/worker-requests.js';
import type {CommitJob, CommitRequest, CommitResponse, CommitRow} from './commit-protocol.js';

const workerUrl = new URL(`./commit-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export class CommitWriter {
	private readonly worker: Worker;
	private readonly requests: WorkerRequests;
	private readonly exited: Promise<void>;
	private closed = false;

	constructor(job: CommitJob) {
		this.worker = new Worker(workerUrl, {workerData: job});
		this.requests = new WorkerRequests(this.worker, 'commit worker');
		this.exited = new Promise(resolve => this.worker.once('exit', () => resolve()));
		this.worker.on('message', (message: CommitResponse) => {
			if (message.type === 'done') {
				this.requests.resolve(message.id, message.embedded);
			} else if (message.type === 'error') {
				this.requests.reject(message.id, remoteError(message.message, {code: message.code}));
			} else {
				this.requests.failAll(remoteError(message.message, {code: message.code}));
			}
		});
	}

	/** Inserts the batch's new rows and moves the run's checkpoint, in one transaction. */
	async commit(runId: string, model: string, rows: readonly CommitRow[], vectors: Float32Array, dimension: number, cursor: number, truncated: number): Promise<number> {
		const identities = rows.map(({messageId, channelId, userId}) => ({messageId, channelId, userId}));
		// A copy of just this batch's part (a view would send its whole buffer), handed over, not cloned.
		const own = vectors.slice();
		return this.requests.send<number>(id => ({type: 'commit', id, runId, model, rows: identities, vectors: own, dimension, cursor, truncated}) satisfies CommitRequest, [own.buffer]);
	}

	/** Records a message that cannot be embedded, with the checkpoint, in one transaction. */
	async recordFailure(runId: string, row: CommitRow, kind: string, error: string, cursor: number): Promise<void> {
		const {messageId, channelId, userId} = row;
		await this.requests.send<number>(id => ({type: 'failure', id, runId, row: {messageId, channelId, userId}, kind, error, cursor}) satisfies CommitRequest);
	}

	/** Waits for the worker to write what it was sent, close its connection and exit. */
	async close(): Promise<void> {
		if (this.closed) {
			return;
		}

		this.closed = true;
		this.worker.postMessage({type: 'close'} satisfies CommitRequest);
		await this.exited;
	}
}
