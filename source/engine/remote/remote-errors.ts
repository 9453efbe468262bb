/**
 * What can go wrong talking to an embedding server, sorted by what the pool does about it, and the
 * one guard that keeps an API key out of every message: a server may echo the request's headers
 * in its error body, so every text built from a response passes through `redact` first.
 */
import {AppError, exitCodes} from '../errors.js';

/**
 * rate-limited: wait (Retry-After) and retry; transient: 5xx, timeout, reset — back off and retry;
 * too-large: halve that endpoint's batch; auth: the endpoint is unusable with this key;
 * bad-input: the texts themselves were refused (the engine bisects to the message);
 * bad-response: the server answered, but not with usable vectors.
 */
export type RemoteErrorKind = 'rate-limited' | 'transient' | 'too-large' | 'auth' | 'bad-input' | 'bad-response';

export class RemoteEndpointError extends AppError {
	readonly kind: RemoteErrorKind;
	readonly endpoint: string;
	readonly status: number | undefined;
	/** From Retry-After, for rate-limited and some 503 answers. */
	readonly retryAfterMs: number | undefined;

	constructor(kind: RemoteErrorKind, endpoint: string, message: string, options: {status?: number; retryAfterMs?: number; hint?: string} = {}) {
		// No `cause`: an undici error may carry the request, and the request carries the key.
		super('endpoint', `embedding endpoint ${endpoint}: ${message}`, {hint: options.hint ?? hintFor(kind)});
		this.name = 'RemoteEndpointError';
		this.kind = kind;
		this.endpoint = endpoint;
		this.status = options.status;
		this.retryAfterMs = options.retryAfterMs;
	}
}

function hintFor(kind: RemoteErrorKind): string {
	switch (kind) {
		case 'auth': {
			return 'set the API key in OPENAI_API_KEY (or the variable named by memory_system.migration.api_key_env)';
		}

		case 'rate-limited': {
			return 'the server limits requests; pass fewer --endpoint copies of it or raise its rate limit';
		}

		case 'too-large': {
			return 'lower --batch-size, or raise the server\'s batch/token limit (vLLM --max-num-batched-tokens, TEI --max-client-batch-size)';
		}

		case 'bad-response': {
			return 'check that the endpoint serves the target embedding model (`qwen3-migrate check --endpoint URL`)';
		}

		default: {
			return 'check that the server is running and reachable from this machine (`qwen3-migrate check --endpoint URL`)';
		}
	}
}

/** Every endpoint failed or was removed: the run cannot go on. */
export class EndpointsExhaustedError extends AppError {
	/** The embed loop stops the run on it instead of isolating messages. */
	readonly stopsRun = true;

	constructor(reasons: readonly string[]) {
		super('endpoint', `no embedding endpoint is left: ${reasons.join('; ')}`, {
			hint: 'fix or restart the servers (`qwen3-migrate check --endpoint URL` shows each), then run `migrate` again to resume from the checkpoint',
		});
		this.name = 'EndpointsExhaustedError';
	}
}

/**
 * An endpoint refused before anything is written (wrong dimension, not unit length, unreachable,
 * key refused, endpoints that disagree): a configuration error, exit 2, naming the endpoint.
 */
export class EndpointRefusedError extends AppError {
	constructor(message: string, hint: string) {
		super('endpoint', message, {hint, exitCode: exitCodes.config});
		this.name = 'EndpointRefusedError';
	}
}

/** Replaces every secret in `text` (and its URL-encoded form) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
	let clean = text;
	for (const secret of secrets) {
		if (secret.length > 0) {
			clean = clean.split(secret).join('***').split(encodeURIComponent(secret)).join('***');
		}
	}

	return clean;
}

/** A server's message on one line, at most `max` characters. */
export function oneLine(text: string, max = 200): string {
	const line = text.replaceAll(/\s+/g, ' ').trim();
	return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
	if (!value) {
		return undefined;
	}

	const seconds = Number(value);
	if (Number.isFinite(seconds)) {
		return Math.max(0, seconds * 1000);
	}

	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
