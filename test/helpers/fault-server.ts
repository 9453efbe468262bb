/**
 * A fault-injecting OpenAI-compatible embedding server for tests and the bench: a real HTTP
 * server whose vectors are a deterministic function of the text (so any endpoint's answer can be
 * checked), with the faults real servers show — random 500s, 429 with Retry-After, 413 above a
 * batch size, a required key, a wrong dimension, dying mid-run — and a record of what it was sent.
 */
import {createHash} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';

export type FaultOptions = {
	dimension?: number;
	model?: string;
	/** Fixed delay before each embeddings answer. */
	latencyMs?: number;
	/** Probability of a 500 per embeddings request (seeded, so runs repeat). */
	errorRate?: number;
	/** Every n-th embeddings request is answered 429 with `Retry-After: retryAfterSeconds`. */
	rateLimitEvery?: number;
	retryAfterSeconds?: number;
	/** More inputs than this in one request: 413. */
	maxBatch?: number;
	/** Requires `Authorization: Bearer <key>`. */
	requiredKey?: string;
	/** Error bodies repeat the Authorization header, as a careless proxy might: the client must redact. */
	echoAuthorization?: boolean;
	/** After this many embeddings requests the server stops answering and closes every connection. */
	dieAfter?: number;
	/** Vectors are not normalised. */
	unnormalised?: boolean;
	seed?: number;
	/** Refuses token-id input with a 400, as Ollama and Infinity do (vLLM and TEI accept it). */
	textOnly?: boolean;
	/** Embeds at most this many requests at once; the rest wait their turn (a GPU server's batch slots). */
	slots?: number;
	/** More embeddings requests than this at once: 429 "model is overloaded" (TEI's max_concurrent_requests). */
	overloadAbove?: number;
};

/** What the fault server embeds for a token-id input: its ids as text, so a test can tell the two apart. */
export function idsText(ids: readonly number[]): string {
	return `ids:${ids.join(',')}`;
}

export type FaultServer = {
	url: string;
	/** Every text of every successful embeddings answer, in order of answer. */
	embedded: string[];
	requests: number;
	maxConcurrent: number;
	close: () => Promise<void>;
};

/** The server's vector for `text`: seeded by its hash, unit length. */
export function expectedVector(text: string, dimension: number): Float32Array {
	const vector = new Float32Array(dimension);
	let block = createHash('sha256').update(text).digest();
	for (let index = 0; index < dimension; index++) {
		if (index % 8 === 0 && index > 0) {
			block = createHash('sha256').update(block).digest();
		}

		vector[index] = block.readInt32LE((index % 8) * 4) / 2 ** 31;
	}

	const norm = Math.hypot(...vector);
	return vector.map(value => value / norm);
}

function seededRandom(seed: number): () => number {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 2 ** 32;
	};
}

type Context = {options: FaultOptions; state: FaultServer; random: () => number; sockets: Set<Socket>; concurrent: number; stop: () => void; busy: number; waiting: Array<() => void>};

function fail(context: Context, request: IncomingMessage, response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
	const echoed = context.options.echoAuthorization ? ` (you sent ${request.headers.authorization ?? 'nothing'})` : '';
	response.writeHead(status, {'content-type': 'application/json', ...headers});
	response.end(JSON.stringify({error: {message: `${message}${echoed}`, type: 'error', code: status}}));
}

/** One embeddings request, with the faults in the order a real server would hit them. */
async function embeddings(context: Context, request: IncomingMessage, response: ServerResponse, body: {input: Array<string | number[]>}): Promise<void> {
	const {options, state} = context;
	if (body.input.some(item => typeof item !== 'string') && options.textOnly) {
		return fail(context, request, response, 400, 'input must be a string or a list of strings');
	}

	const number = ++state.requests;
	if (options.dieAfter !== undefined && number > options.dieAfter) {
		context.stop();
		return;
	}

	if (options.overloadAbove !== undefined && context.concurrent > options.overloadAbove) {
		return fail(context, request, response, 429, 'Model is overloaded');
	}

	if (options.rateLimitEvery && number % options.rateLimitEvery === 0) {
		return fail(context, request, response, 429, 'rate limit reached', {'retry-after': String(options.retryAfterSeconds ?? 0.2)});
	}

	if (options.maxBatch !== undefined && body.input.length > options.maxBatch) {
		return fail(context, request, response, 413, `batch of ${body.input.length} is over the limit of ${options.maxBatch}`);
	}

	if (options.errorRate && context.random() < options.errorRate) {
		return fail(context, request, response, 500, 'internal server error (injected)');
	}

	await takeSlot(context);
	try {
		await new Promise(resolve => setTimeout(resolve, options.latencyMs ?? 0));
	} finally {
		context.busy--;
		context.waiting.shift()?.();
	}

	const dimension = options.dimension ?? 32;
	const texts = body.input.map(item => (typeof item === 'string' ? item : idsText(item)));
	const data = texts.map((text, index) => {
		const vector = expectedVector(text, dimension);
		return {object: 'embedding', index, embedding: Array.from(options.unnormalised ? vector.map(value => value * 3) : vector)};
	});
	state.embedded.push(...texts);
	// Answered in reverse order: the client must sort by index.
	response.writeHead(200, {'content-type': 'application/json'});
	response.end(JSON.stringify({object: 'list', data: data.reverse(), model: options.model, usage: {prompt_tokens: 0, total_tokens: 0}}));
}

/** Waits for one of `slots` (none to wait for without the option). */
async function takeSlot(context: Context): Promise<void> {
	const {slots} = context.options;
	while (slots !== undefined && context.busy >= slots) {
		await new Promise<void>(resolve => context.waiting.push(resolve));
	}

	context.busy++;
}

async function handle(context: Context, request: IncomingMessage, response: ServerResponse): Promise<void> {
	const {options, state} = context;
	state.maxConcurrent = Math.max(state.maxConcurrent, ++context.concurrent);
	try {
		const chunks: Buffer[] = [];
		for await (const chunk of request) {
			chunks.push(chunk as Buffer);
		}

		if (options.requiredKey && request.headers.authorization !== `Bearer ${options.requiredKey}`) {
			return fail(context, request, response, 401, 'invalid api key');
		}

		if (request.method === 'GET' && request.url?.endsWith('/models')) {
			response.writeHead(200, {'content-type': 'application/json'});
			response.end(JSON.stringify({object: 'list', data: [{id: options.model, object: 'model'}]}));
			return;
		}

		await embeddings(context, request, response, JSON.parse(Buffer.concat(chunks).toString('utf8')) as {input: Array<string | number[]>});
	} finally {
		context.concurrent--;
	}
}

export async function startFaultServer(faults: FaultOptions = {}): Promise<FaultServer> {
	const options = {model: 'Qwen/Qwen3-Embedding-0.6B', ...faults};
	const sockets = new Set<Socket>();
	let dead = false;
	const state: FaultServer = {url: '', embedded: [], requests: 0, maxConcurrent: 0, close: async () => Promise.resolve()};
	const context: Context = {options, state, random: seededRandom(options.seed ?? 7), sockets, concurrent: 0, stop: () => undefined, busy: 0, waiting: []};
	const server = createServer((request, response) => void handle(context, request, response));
	// Dying: every connection cut, the port closed (later requests are refused).
	context.stop = () => {
		dead = true;
		for (const socket of sockets) {
			socket.destroy();
		}

		server.close();
	};

	server.keepAliveTimeout = 60_000;
	server.on('connection', socket => {
		if (dead) {
			socket.destroy();
			return;
		}

		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
	state.close = async () => {
		for (const socket of sockets) {
			socket.destroy();
		}

		await new Promise(resolve => server.close(resolve));
	};
	return state;
}

/** Starts fault servers (with the file's `defaults` under each one's options) for one test file and closes them all in its `after` hook. */
export function faultServersClosedAfter(after: (hook: () => Promise<unknown>) => void, defaults: FaultOptions = {}): (options: FaultOptions) => Promise<FaultServer> {
	const servers: FaultServer[] = [];
	after(async () => Promise.all(servers.map(async server => server.close())));
	return async options => {
		const server = await startFaultServer({...defaults, ...options});
		servers.push(server);
		return server;
	};
}
