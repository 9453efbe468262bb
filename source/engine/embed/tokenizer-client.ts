/**
 * The engine's side of the tokenizer worker: loads the tokenizer there, then encodes texts there,
 * and pads batches here (cheap array work, from the tokenizer's shape).
 */
import {Worker} from 'node:worker_threads';
import {remoteError, WorkerRequests} from '../util/worker-requests.js';
import type {ModelSource} from './model-source.js';
import {padBatch, type EncodedText, type TextRule, type TokenizedBatch, type TokenizerShape} from './tokenize.js';
import type {TokenizerRequest, TokenizerResponse} from './tokenizer-protocol.js';

const workerUrl = new URL(`./tokenizer-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** The worker's flat answer back into one id list per text. */
function unpack({tokens, lengths, truncated}: TokenizerResponse & {type: 'encoded'}): EncodedText[] {
	const encoded: EncodedText[] = [];
	let offset = 0;
	for (const [index, length] of lengths.entries()) {
		encoded.push({ids: Array.from(tokens.subarray(offset, offset + length)), truncated: truncated[index] === 1});
		offset += length;
	}

	return encoded;
}

export class RemoteTokenizer {
	private constructor(
		private readonly worker: Worker,
		private readonly requests: WorkerRequests,
		readonly shape: TokenizerShape,
	) {}

	/**
	 * Starts the worker and loads the tokenizer there; rejects with the loader's own message.
	 * Aborting `signal` (the model failed to load meanwhile) ends the worker at once: a worker left
	 * running keeps the process alive after the error has been reported.
	 */
	static async load(source: ModelSource, maxTokens: number, options: {textRule?: TextRule; signal?: AbortSignal} = {}): Promise<RemoteTokenizer> {
		const {textRule = 'bot', signal} = options;
		signal?.throwIfAborted();
		const worker = new Worker(workerUrl);
		const requests = new WorkerRequests(worker, 'tokenizer worker');
		const abort = () => {
			requests.failAll(new Error('tokenizer load cancelled'));
			void worker.terminate();
		};

		signal?.addEventListener('abort', abort, {once: true});
		worker.on('message', (message: TokenizerResponse) => {
			if (message.type === 'error') {
				requests.reject(message.id, remoteError(message.message, {stack: message.stack}));
			} else {
				requests.resolve(message.id, message.type === 'loaded' ? message.shape : unpack(message));
			}
		});
		try {
			const shape = await requests.send<TokenizerShape>(id => ({type: 'load', id, source, maxTokens, textRule}) satisfies TokenizerRequest);
			return new RemoteTokenizer(worker, requests, shape);
		} catch (error) {
			await worker.terminate();
			throw error;
		} finally {
			signal?.removeEventListener('abort', abort);
		}
	}

	/** Token ids per text, specials included, cut to the budget with the closing specials kept. */
	async encode(texts: readonly string[]): Promise<EncodedText[]> {
		return this.requests.send<EncodedText[]>(id => ({type: 'encode', id, texts: [...texts]}) satisfies TokenizerRequest);
	}

	/** encode, then pad into one batch. */
	async tokenize(texts: readonly string[]): Promise<TokenizedBatch> {
		return this.padEncoded(await this.encode(texts));
	}

	padEncoded(encoded: ReadonlyArray<{ids: readonly number[]; truncated: boolean}>): TokenizedBatch {
		return {...padBatch(this.shape, encoded.map(item => item.ids)), truncatedCount: encoded.filter(item => item.truncated).length};
	}

	async close(): Promise<void> {
		this.requests.failAll(new Error('tokenizer is closed'));
		await this.worker.terminate();
	}
}
