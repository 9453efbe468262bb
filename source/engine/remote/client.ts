/**
 * One OpenAI-compatible embedding endpoint (vLLM, TEI, Ollama, Infinity, `qwen3-migrate serve`):
 * `POST {base}/embeddings` and `GET {base}/models`, every answer validated and every failure turned
 * into a one-line RemoteEndpointError naming the endpoint, sorted by what the caller can do about it.
 */
import {oneLine, parseRetryAfter, redact, RemoteEndpointError} from './remote-errors.js';

export type ClientOptions = {
	/** Base URL as users write it, e.g. http://gpu1:8000/v1 (a trailing slash is dropped). */
	baseUrl: string;
	/** Sent as `Authorization: Bearer`; never part of a message. */
	apiKey?: string | undefined;
	timeoutMs?: number;
};

/**
 * One input: a text, or the token ids of one (the OpenAI API's `input` takes either, a request all
 * of one kind; vLLM and TEI accept ids, Ollama and Infinity only texts).
 */
export type EmbedInput = string | readonly number[];

export type EmbedRequest = {model: string; texts: readonly EmbedInput[]; dimensions?: number | undefined; signal?: AbortSignal | undefined};

/** "too many tokens" and its cousins in vLLM / TEI / Ollama / OpenAI error bodies. */
const tooLargeMessage = /too many tokens|maximum context length|too long|max(?:imum)?[_ ]?(?:batch|client|tokens|input)|exceeds? the (?:limit|maximum)|batch size/i;

/** Why fetch itself failed (no HTTP answer), in words a user recognises. */
function networkReason(error: unknown, timeoutMs: number): string {
	if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
		return error.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : 'request aborted';
	}

	const cause = (error as {cause?: {code?: string; message?: string}} | undefined)?.cause;
	const code = cause?.code ?? '';
	const known: Record<string, string> = {
		ECONNREFUSED: 'connection refused (is the server running?)',
		ECONNRESET: 'connection reset by the server',
		UND_ERR_SOCKET: 'connection closed by the server',
		ENOTFOUND: 'host name not found',
		EHOSTUNREACH: 'host unreachable',
		UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
	};
	return known[code] ?? `request failed${code ? ` (${code})` : ''}: ${cause?.message ?? (error instanceof Error ? error.message : String(error))}`;
}

export class EmbeddingClient {
	readonly baseUrl: string;
	/** A private field: absent from JSON.stringify and util.inspect of the client, so no dump shows it. */
	readonly #apiKey: string | undefined;
	readonly timeoutMs: number;

	constructor(options: ClientOptions) {
		this.baseUrl = options.baseUrl.replace(/\/+$/, '');
		this.#apiKey = options.apiKey && options.apiKey.length > 0 ? options.apiKey : undefined;
		this.timeoutMs = options.timeoutMs ?? 60_000;
	}

	private get secrets(): string[] {
		return this.#apiKey ? [this.#apiKey] : [];
	}

	private fail(kind: ConstructorParameters<typeof RemoteEndpointError>[0], message: string, options: {status?: number; retryAfterMs?: number} = {}): RemoteEndpointError {
		return new RemoteEndpointError(kind, this.baseUrl, redact(oneLine(message, 300), this.secrets), options);
	}

	/** One HTTP exchange; resolves with the parsed JSON of a 2xx answer. */
	private async request(path: string, init: {method: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal | undefined}): Promise<unknown> {
		const headers: Record<string, string> = {accept: 'application/json'};
		if (init.body !== undefined) {
			headers['content-type'] = 'application/json';
		}

		if (this.#apiKey) {
			headers.authorization = `Bearer ${this.#apiKey}`;
		}

		const timeout = AbortSignal.timeout(this.timeoutMs);
		let response: Response;
		let text: string;
		try {
			response = await fetch(`${this.baseUrl}${path}`, {
				method: init.method,
				headers,
				body: init.body === undefined ? undefined : JSON.stringify(init.body),
				signal: init.signal ? AbortSignal.any([timeout, init.signal]) : timeout,
			});
			text = await response.text();
		} catch (error) {
			throw this.fail('transient', `${init.method} ${path}: ${networkReason(error, this.timeoutMs)}`);
		}

		if (response.ok) {
			try {
				return JSON.parse(text) as unknown;
			} catch {
				throw this.fail('bad-response', `${init.method} ${path}: the answer is not JSON: ${text.slice(0, 80)}`);
			}
		}

		throw this.httpError(init.method, path, response, text);
	}

	private httpError(method: string, path: string, response: Response, body: string): RemoteEndpointError {
		const {status} = response;
		const detail = serverMessage(body);
		const message = `${method} ${path}: HTTP ${status}${detail ? ` ${detail}` : ''}`;
		const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
		const options = {status, ...(retryAfterMs === undefined ? {} : {retryAfterMs})};
		if (status === 429) {
			return this.fail('rate-limited', message, options);
		}

		if (status === 413 || ((status === 400 || status === 422) && tooLargeMessage.test(detail))) {
			return this.fail('too-large', message, options);
		}

		if (status === 401 || status === 403) {
			return this.fail('auth', `${message} (${this.#apiKey ? 'the API key was refused' : 'no API key was sent'})`, options);
		}

		if (status === 400 || status === 422) {
			return this.fail('bad-input', message, options);
		}

		return this.fail(status >= 500 || status === 408 ? 'transient' : 'bad-response', message, options);
	}

	/** Model ids the server lists (`GET {base}/models`). */
	async listModels(signal?: AbortSignal): Promise<string[]> {
		const body = await this.request('/models', {method: 'GET', signal});
		const data = (body as {data?: unknown}).data;
		if (!Array.isArray(data)) {
			throw this.fail('bad-response', 'GET /models: the answer has no "data" list');
		}

		return data.map(item => (item as {id?: unknown}).id).filter((id): id is string => typeof id === 'string');
	}

	/** One vector per text, in input order, validated (count, order, equal widths, finite numbers). */
	async embed(request: EmbedRequest): Promise<Float32Array[]> {
		const body = {model: request.model, input: [...request.texts], encoding_format: 'float', ...(request.dimensions ? {dimensions: request.dimensions} : {})};
		const answer = await this.request('/embeddings', {method: 'POST', body, signal: request.signal});
		return this.readVectors(answer, request.texts.length);
	}

	private readVectors(answer: unknown, expected: number): Float32Array[] {
		const data = (answer as {data?: unknown}).data;
		if (!Array.isArray(data) || data.length !== expected) {
			throw this.fail('bad-response', `POST /embeddings: expected ${expected} embeddings, received ${Array.isArray(data) ? data.length : 'none'}`);
		}

		const vectors: Array<Float32Array | undefined> = Array.from({length: expected});
		for (const [position, item] of data.entries()) {
			const {index = position, embedding} = item as {index?: unknown; embedding?: unknown};
			if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= expected || vectors[index]) {
				throw this.fail('bad-response', `POST /embeddings: embedding index ${String(index)} is out of range or repeated`);
			}

			vectors[index] = this.readVector(embedding, index);
		}

		const width = vectors[0]?.length ?? 0;
		if (vectors.some(vector => vector!.length !== width) || width === 0) {
			throw this.fail('bad-response', 'POST /embeddings: the embeddings differ in length');
		}

		return vectors as Float32Array[];
	}

	private readVector(embedding: unknown, index: number): Float32Array {
		// Some servers answer base64 whatever was asked: little-endian float32, as OpenAI sends it.
		const vector = typeof embedding === 'string' ? decodeBase64Floats(embedding) : Array.isArray(embedding) ? Float32Array.from(embedding as number[]) : undefined;
		if (!vector || !vector.every(Number.isFinite) || (Array.isArray(embedding) && !embedding.every(value => typeof value === 'number'))) {
			throw this.fail('bad-response', `POST /embeddings: embedding ${index} is not a list of finite numbers`);
		}

		return vector;
	}
}

function decodeBase64Floats(text: string): Float32Array | undefined {
	const bytes = Buffer.from(text, 'base64');
	if (bytes.length === 0 || bytes.length % 4 !== 0) {
		return undefined;
	}

	const vector = new Float32Array(bytes.length / 4);
	for (let index = 0; index < vector.length; index++) {
		vector[index] = bytes.readFloatLE(index * 4);
	}

	return vector;
}

/** `{"error": {"message": ...}}`, `{"error": "..."}`, `{"detail": ...}` or the raw body. */
function serverMessage(body: string): string {
	try {
		const parsed = JSON.parse(body) as {error?: unknown; message?: unknown; detail?: unknown};
		const error = parsed.error as {message?: unknown} | string | undefined;
		const message = typeof error === 'string' ? error : (error?.message ?? parsed.message ?? parsed.detail);
		return oneLine(typeof message === 'string' ? message : JSON.stringify(message ?? parsed));
	} catch {
		return oneLine(body);
	}
}
