/**
 * Worker thread that owns the tokenizer: loading a real one parses megabytes of JSON and builds
 * hundreds of thousands of merge ranks (about a second of CPU), and tokenising a window of long
 * texts takes tens of milliseconds. Here neither ever holds the engine's event loop.
 */
import {parentPort} from 'node:worker_threads';
import {TextTokenizer} from './tokenize.js';
import type {TokenizerRequest, TokenizerResponse} from './tokenizer-protocol.js';
import {configureTransformers} from './transformers-env.js';

if (!parentPort) {
	throw new Error('tokenizer-worker must run in a worker thread');
}

const port = parentPort;
let tokenizer: TextTokenizer | undefined;

function reply(message: TokenizerResponse, transfer: ArrayBuffer[] = []): void {
	port.postMessage(message, transfer);
}

function encode(id: number, texts: readonly string[]): void {
	if (!tokenizer) {
		throw new Error('tokenizer not loaded');
	}

	const encoded = texts.map(text => tokenizer!.encode(text));
	const lengths = Int32Array.from(encoded, item => item.ids.length);
	const tokens = new Int32Array(lengths.reduce((total, length) => total + length, 0));
	let offset = 0;
	for (const item of encoded) {
		tokens.set(item.ids, offset);
		offset += item.ids.length;
	}

	const truncated = Uint8Array.from(encoded, item => (item.truncated ? 1 : 0));
	reply({type: 'encoded', id, tokens, lengths, truncated}, [tokens.buffer, lengths.buffer, truncated.buffer]);
}

// One request at a time, in order: the load always finishes before the first encode.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: TokenizerRequest) => {
	queue = queue
		.then(async () => {
			if (request.type === 'load') {
				tokenizer = await TextTokenizer.load(configureTransformers(request.source), request.maxTokens, {textRule: request.textRule});
				reply({type: 'loaded', id: request.id, shape: tokenizer.shape});
			} else {
				encode(request.id, request.texts);
			}
		})
		.catch((error: unknown) => {
			const failure = error instanceof Error ? error : new Error(String(error));
			reply({type: 'error', id: request.id, message: failure.message, stack: failure.stack});
		});
});
