/**
 * An OpenAI-compatible embedding server over the workspace's model: `POST /v1/embeddings`,
 * `GET /v1/models` and `GET /health`, as vLLM and TEI answer them, so the migration's remote
 * client (or the bot) can use a GPU box that has no Python. It embeds what it is sent, unless
 * `botPreprocess` asks for the bot's text rule first.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {errorMessage, UsageError} from '../errors.js';
import {botPreprocess as applyBotRule} from '../remote/bot-preprocess.js';
import {matryoshka} from '../strategies/vector-math.js';
import {RequestBatcher, type BatcherModel} from './batcher.js';

export type ServeOptions = {
	model: BatcherModel & {readonly modelId: string; readonly dimension: number; readonly device: string};
	host?: string;
	port: number;
	botPreprocess?: boolean;
	maxBatchTokens: number;
	maxRows: number;
	/** Token ids per input (token-id input); longer is a 413. Texts are cut to the model's own max_tokens. */
	maxInputTokens?: number;
	/** Texts per request; more is a 413, as TEI's --max-client-batch-size. */
	maxInputs?: number;
	maxBodyBytes?: number;
	/** How long shutdown waits for requests in progress before it cuts their connections. */
	shutdownGraceMs?: number;
};

export type RunningServer = {url: string; port: number; host: string; close: () => Promise<void>};

class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly type = 'invalid_request_error',
	) {
		super(message);
	}
}

function send(response: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
	response.end(text);
}

async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request) {
		size += (chunk as Buffer).length;
		if (size > limit) {
			throw new HttpError(413, `request body over ${limit} bytes`);
		}

		chunks.push(chunk as Buffer);
	}

	try {
		return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
	} catch {
		throw new HttpError(400, 'the body is not JSON');
	}
}

type EmbeddingsBody = {input: Array<string | number[]>; model?: string; encodingFormat: 'float' | 'base64'; dimensions?: number};

const isTokenIds = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every(id => Number.isInteger(id) && (id as number) >= 0);

/** The OpenAI API's four shapes of `input`: a text, texts, one list of token ids, lists of token ids. */
function inputsOf(input: unknown): Array<string | number[]> {
	if (typeof input === 'string') {
		return [input];
	}

	if (isTokenIds(input)) {
		return [input];
	}

	if (Array.isArray(input) && input.length > 0 && (input.every(item => typeof item === 'string') || input.every(item => isTokenIds(item)))) {
		return input;
	}

	throw new HttpError(400, '"input" must be a string, a non-empty list of strings, or (token-id input) a list of non-negative integers or a list of such lists');
}

function validate(body: unknown, options: ServeOptions): EmbeddingsBody {
	const {input, model, encoding_format: encodingFormat = 'float', dimensions} = (body ?? {}) as Record<string, unknown>;
	const texts = inputsOf(input);
	const longest = Math.max(...texts.map(item => (typeof item === 'string' ? 0 : item.length)));
	if (options.maxInputTokens !== undefined && longest > options.maxInputTokens) {
		throw new HttpError(413, `too many tokens: an input of ${longest} token ids is over max_tokens ${options.maxInputTokens}`);
	}

	if (texts.length > (options.maxInputs ?? 2048)) {
		throw new HttpError(413, `too many inputs: ${texts.length} > ${options.maxInputs ?? 2048} per request`);
	}

	if (model !== undefined && model !== options.model.modelId) {
		throw new HttpError(404, `the model \`${typeof model === 'string' ? model : JSON.stringify(model)}\` does not exist; this server serves ${options.model.modelId}`, 'model_not_found');
	}

	if (encodingFormat !== 'float' && encodingFormat !== 'base64') {
		throw new HttpError(400, '"encoding_format" must be "float" or "base64"');
	}

	if (dimensions !== undefined && (!Number.isInteger(dimensions) || (dimensions as number) < 1 || (dimensions as number) > options.model.dimension)) {
		throw new HttpError(400, `"dimensions" must be an integer from 1 to ${options.model.dimension}`);
	}

	return {input: texts, ...(typeof model === 'string' ? {model} : {}), encodingFormat, ...(typeof dimensions === 'number' ? {dimensions} : {})};
}

function encodeVector(vector: Float32Array, format: 'float' | 'base64'): number[] | string {
	return format === 'float' ? Array.from(vector) : Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

/** The routes; a thrown HttpError becomes its status with an OpenAI-shaped error body. */
function routes(options: ServeOptions, batcher: RequestBatcher): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
	const {model} = options;
	return async (request, response) => {
		const route = (request.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
		if (request.method === 'GET' && (route === '/health' || route === '/v1/health')) {
			send(response, 200, {status: 'ok', model: model.modelId, dimension: model.dimension, device: model.device, queued: batcher.queued});
		} else if (request.method === 'GET' && (route === '/v1/models' || route === '/models')) {
			send(response, 200, {object: 'list', data: [{id: model.modelId, object: 'model', owned_by: 'qwen3-migrate', created: 0}]});
		} else if (request.method === 'POST' && (route === '/v1/embeddings' || route === '/embeddings')) {
			const body = validate(await readJson(request, options.maxBodyBytes ?? 32 * 1024 * 1024), options);
			// Token ids are embedded as sent; only texts get the bot's rule.
			const texts = options.botPreprocess ? body.input.map(item => (typeof item === 'string' ? applyBotRule(item) : item)) : body.input;
			const {vectors, tokens} = await batcher.embed(texts);
			const data = vectors.map((vector, index) => ({
				object: 'embedding',
				index,
				embedding: encodeVector(body.dimensions ? matryoshka(vector, body.dimensions) : vector, body.encodingFormat),
			}));
			send(response, 200, {object: 'list', data, model: model.modelId, usage: {prompt_tokens: tokens, total_tokens: tokens}});
		} else {
			throw new HttpError(404, `no route ${request.method ?? ''} ${route}: use POST /v1/embeddings, GET /v1/models or GET /health`, 'not_found');
		}
	};
}

export async function startEmbeddingServer(options: ServeOptions): Promise<RunningServer> {
	const handle = routes(options, new RequestBatcher(options.model, {maxBatchTokens: options.maxBatchTokens, maxRows: options.maxRows}));
	const server = createServer((request, response) => {
		handle(request, response).catch((error: unknown) => {
			const status = error instanceof HttpError ? error.status : 500;
			const type = error instanceof HttpError ? error.type : 'server_error';
			if (!response.headersSent) {
				send(response, status, {error: {message: errorMessage(error).split('\n')[0], type, code: status}});
			}
		});
	});
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', (error: NodeJS.ErrnoException) => {
			const where = `${host}:${options.port}`;
			reject(
				error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
					? new UsageError(`cannot listen on ${where}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.code === 'EACCES' ? 'permission denied' : 'no such address here'}`, 'pick another --port (or --host)')
					: error,
			);
		});
		server.listen(options.port, host, () => resolve());
	});
	const {port} = server.address() as AddressInfo;
	const shownHost = host.includes(':') ? `[${host}]` : host;
	return {
		url: `http://${shownHost}:${port}/v1`,
		port,
		host,
		// Stops accepting, lets requests in progress finish, then closes idle keep-alive connections.
		close: async () =>
			new Promise<void>(resolve => {
				// Keep-alive connections go idle only after their request finishes: sweep until closed,
				// and cut whatever is left after the grace period.
				const sweep = setInterval(() => server.closeIdleConnections(), 50);
				const deadline = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 30_000);
				server.close(() => {
					clearInterval(sweep);
					clearTimeout(deadline);
					resolve();
				});
				server.closeIdleConnections();
			}),
	};
}
