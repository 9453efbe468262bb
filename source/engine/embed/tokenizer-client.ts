/**
 * The engine's side of the tokenizer worker: loads the tokenizer there, then encodes texts there,
 * and pads batches here (cheap array work, from the tokenizer's shape).
 */
import {Worker} from 'node:worker_threads';
import type {ModelSource} from './model-source.js';
import {padBatch, type EncodedText, type TokenizedBatch, type TokenizerShape} from './tokenize.js';
import type {TokenizerRequest, TokenizerResponse} from './tokenizer-protocol.js';

const workerUrl = new URL(`./tokenizer-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

type Waiter<T> = {resolve: (value: T) => void; reject: (error: Error) => void};

export class RemoteTokenizer {
	private readonly pending = new Map<number, Waiter<EncodedText[]>>();
	private nextId = 1;
	private failure: Error | undefined;

	private constructor(
		private readonly worker: Worker,
		readonly shape: TokenizerShape,
	) {
		worker.on('message', (message: TokenizerResponse) => this.onMessage(message));
		worker.on('error', error => this.failAll(error));
		worker.on('exit', code => this.failAll(new Error(`tokenizer worker exited with code ${code}`)));
	}

	/** Starts the worker and loads the tokenizer there; rejects with the loader's own message. */
	static async load(source: ModelSource, maxTokens: number): Promise<RemoteTokenizer> {
		const worker = new Worker(workerUrl);
		let onMessage: ((message: TokenizerResponse) => void) | undefined;
		let onError: ((error: Error) => void) | undefined;
		let onExit: ((code: number) => void) | undefined;
		try {
			const shape = await new Promise<TokenizerShape>((resolve, reject) => {
				onMessage = message => {
					if (message.type === 'loaded') {
						resolve(message.shape);
					} else if (message.type === 'error') {
						const error = new Error(message.message);
						error.stack = message.stack;
						reject(error);
					}
				};

				onError = reject;
				onExit = code => reject(new Error(`tokenizer worker exited with code ${code}`));
				worker.on('message', onMessage);
				worker.on('error', onError);
				worker.on('exit', onExit);
				worker.postMessage({type: 'load', source, maxTokens} satisfies TokenizerRequest);
			});
			return new RemoteTokenizer(worker, shape);
		} catch (error) {
			await worker.terminate();
			throw error;
		} finally {
			worker.off('message', onMessage!);
			worker.off('error', onError!);
			worker.off('exit', onExit!);
		}
	}

	get maxTokens(): number {
		return this.shape.maxTokens;
	}

	/** Token ids per text, specials included, cut to the budget with the closing specials kept. */
	async encode(texts: readonly string[]): Promise<EncodedText[]> {
		if (this.failure) {
			throw this.failure;
		}

		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, {resolve, reject});
			this.worker.postMessage({type: 'encode', id, texts: [...texts]} satisfies TokenizerRequest);
		});
	}

	/** encode, then pad into one batch. */
	async tokenize(texts: readonly string[]): Promise<TokenizedBatch> {
		return this.padEncoded(await this.encode(texts));
	}

	padEncoded(encoded: ReadonlyArray<{ids: readonly number[]; truncated: boolean}>): TokenizedBatch {
		return {...padBatch(this.shape, encoded.map(item => item.ids)), truncatedCount: encoded.filter(item => item.truncated).length};
	}

	async close(): Promise<void> {
		this.failure ??= new Error('tokenizer is closed');
		await this.worker.terminate();
	}

	private onMessage(message: TokenizerResponse): void {
		if (message.type === 'loaded' || message.id === 'load') {
			return;
		}

		const waiter = this.pending.get(message.id);
		this.pending.delete(message.id);
		if (message.type === 'error') {
			const error = new Error(message.message);
			error.stack = message.stack;
			waiter?.reject(error);
			return;
		}

		const {tokens, lengths, truncated} = message;
		const encoded: EncodedText[] = [];
		let offset = 0;
		for (const [index, length] of lengths.entries()) {
			encoded.push({ids: Array.from(tokens.subarray(offset, offset + length)), truncated: truncated[index] === 1});
			offset += length;
		}

		waiter?.resolve(encoded);
	}

	private failAll(error: Error): void {
		this.failure ??= error;
		for (const waiter of this.pending.values()) {
			waiter.reject(this.failure);
		}

		this.pending.clear();
	}
}
