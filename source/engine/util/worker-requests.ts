/**
 * Numbered requests to a worker thread and their answers: the engine's three worker clients (model,
 * tokenizer, commit writer) share this. Once the worker fails or exits, every pending request and
 * every later one rejects with that error.
 */
import type {Transferable, Worker} from 'node:worker_threads';

type Waiter = {resolve: (value: unknown) => void; reject: (error: Error) => void};

/** An Error rebuilt from one a worker sent back (message, stack and an optional code). */
export function remoteError(message: string, details: {stack?: string; code?: string} = {}): Error {
	const error = new Error(message) as Error & {code?: string};
	if (details.stack !== undefined) {
		error.stack = details.stack;
	}

	if (details.code !== undefined) {
		error.code = details.code;
	}

	return error;
}

export class WorkerRequests {
	private readonly waiters = new Map<number, Waiter>();
	private nextId = 1;
	private failure: Error | undefined;

	constructor(
		private readonly worker: Worker,
		name: string,
	) {
		worker.on('error', error => this.failAll(error));
		worker.on('exit', code => this.failAll(new Error(`${name} exited with code ${code}`)));
	}

	/** Posts the message built for a fresh id; resolves with what `resolve(id, …)` is given. */
	async send<T>(message: (id: number) => unknown, transfer: readonly Transferable[] = []): Promise<T> {
		if (this.failure) {
			throw this.failure;
		}

		const id = this.nextId++;
		return new Promise<T>((resolve, reject) => {
			this.waiters.set(id, {resolve: resolve as (value: unknown) => void, reject});
			this.worker.postMessage(message(id), transfer);
		});
	}

	resolve(id: number, value: unknown): void {
		this.waiters.get(id)?.resolve(value);
		this.waiters.delete(id);
	}

	reject(id: number, error: Error): void {
		this.waiters.get(id)?.reject(error);
		this.waiters.delete(id);
	}

	/** Fails every pending and later request (the first error is the one reported). */
	failAll(error: Error): void {
		this.failure ??= error;
		for (const waiter of this.waiters.values()) {
			waiter.reject(this.failure);
		}

		this.waiters.clear();
	}
}
