/**
 * Spreads embedding requests over several endpoints at once. Each request (a batch of texts) goes
 * to exactly one endpoint at a time and settles exactly once; faults are handled here so the engine
 * only sees a batch fail when its texts were refused, or when no endpoint is left:
 * 429 waits for Retry-After, 5xx / timeouts / resets are retried elsewhere with backoff and jitter,
 * 413 or "too many tokens" halves that endpoint's batch, an endpoint that keeps failing is taken
 * out and tried again later, and one that refuses the key or answers nonsense is removed.
 */
import {errorMessage} from '../errors.js';
import {Endpoint, type EndpointStats} from './endpoint.js';
import {endpointLogText} from './messages.js';
import {EndpointsExhaustedError, RemoteEndpointError} from './remote-errors.js';

export type PoolEvent = {
	type: 'endpoint:out' | 'endpoint:back' | 'endpoint:removed' | 'endpoint:batch:halve' | 'endpoint:rate-limited';
	endpoint: string;
	level: 'INFO' | 'WARNING' | 'ERROR';
	/** The log line, in the guide's wording (never holds the API key: messages are redacted). */
	message: string;
};

export type PoolOptions = {
	/** Validates every answer's width (the probe fixed it). */
	dimension: number;
	/** Sent as `dimensions` (Matryoshka) when set. */
	requestDimensions?: number | undefined;
	initialInFlight?: number;
	maxInFlight?: number;
	/** Consecutive transient failures that take an endpoint out. */
	failuresToTakeOut?: number;
	/** First wait before an endpoint that was taken out is tried again; doubles each time. */
	cooldownMs?: number;
	maxCooldownMs?: number;
	/** Times an endpoint may be taken out before it is removed for the rest of the run. */
	maxTimesOut?: number;
	/** Tries of one batch (transient failures, over all endpoints) before it fails to the engine. */
	maxAttempts?: number;
	backoffBaseMs?: number;
	backoffMaxMs?: number;
	onEvent?: (event: PoolEvent) => void;
	random?: () => number;
};

type Job = {texts: string[]; attempts: number; rateLimits: number; notBefore: number; settle: (outcome: {vectors: Float32Array[]} | {error: Error}) => void};

export class EndpointPool {
	private readonly endpoints: Endpoint[];
	private readonly queue: Job[] = [];
	private readonly options: Required<Omit<PoolOptions, 'requestDimensions' | 'onEvent'>> & Pick<PoolOptions, 'requestDimensions' | 'onEvent'>;
	private timer: NodeJS.Timeout | undefined;
	private timerAt = Number.POSITIVE_INFINITY;
	private readonly abort = new AbortController();
	private closed = false;

	constructor(endpoints: ReadonlyArray<{client: Endpoint['client']; model: string}>, options: PoolOptions) {
		this.options = {
			initialInFlight: 2, maxInFlight: 16, failuresToTakeOut: 3, cooldownMs: 10_000, maxCooldownMs: 120_000, maxTimesOut: 5,
			maxAttempts: 8, backoffBaseMs: 200, backoffMaxMs: 10_000, random: Math.random, ...options,
		};
		const tuning = {initialInFlight: this.options.initialInFlight, maxInFlight: this.options.maxInFlight};
		this.endpoints = endpoints.map(({client, model}) => new Endpoint(client, model, tuning));
	}

	/** Requests the pool can keep in flight now: what the embed loop should keep submitted. */
	get capacity(): number {
		return Math.max(1, this.endpoints.filter(endpoint => endpoint.state === 'up').reduce((sum, endpoint) => sum + endpoint.slots, 0));
	}

	stats(): EndpointStats[] {
		return this.endpoints.map(endpoint => endpoint.stats());
	}

	/** One vector per text, in order; rejects only for refused texts or when no endpoint is left. */
	async embed(texts: readonly string[]): Promise<Float32Array[]> {
		if (this.closed) {
			throw new Error('the endpoint pool is closed');
		}

		return new Promise((resolve, reject) => {
			this.queue.push({texts: [...texts], attempts: 0, rateLimits: 0, notBefore: 0, settle: outcome => ('error' in outcome ? reject(outcome.error) : resolve(outcome.vectors))});
			this.pump();
		});
	}

	/** Stops: requests in flight are aborted, queued batches fail. */
	close(): Promise<void> {
		this.closed = true;
		this.abort.abort();
		clearTimeout(this.timer);
		for (const job of this.queue.splice(0)) {
			job.settle({error: new Error('the endpoint pool is closed')});
		}

		return Promise.resolve();
	}

	private emit(type: PoolEvent['type'], endpoint: Endpoint, level: PoolEvent['level'], message: string): void {
		try {
			this.options.onEvent?.({type, endpoint: endpoint.url, level, message});
		} catch {
			// A listener's exception must not break the run (graphile-worker's safeEmit).
		}
	}

	/** Hands queued batches to endpoints with a free slot until one or the other runs out. */
	private pump(): void {
		if (this.closed) {
			return;
		}

		const now = Date.now();
		this.reviveDue(now);
		if (this.endpoints.every(endpoint => endpoint.state === 'removed')) {
			this.failAll();
			return;
		}

		for (;;) {
			const jobIndex = this.queue.findIndex(job => job.notBefore <= now);
			const endpoint = this.pickEndpoint(now);
			if (jobIndex < 0 || !endpoint) {
				break;
			}

			const [job] = this.queue.splice(jobIndex, 1);
			if (endpoint.maxRows !== undefined && job!.texts.length > endpoint.maxRows) {
				this.queue.unshift(...splitJob(job!, endpoint.maxRows));
				continue;
			}

			this.dispatch(job!, endpoint);
		}

		this.scheduleWake(now);
	}

	/** The endpoint with the most free slots (relative), then the fastest. */
	private pickEndpoint(now: number): Endpoint | undefined {
		let best: Endpoint | undefined;
		let bestScore = Number.NEGATIVE_INFINITY;
		for (const endpoint of this.endpoints) {
			if (endpoint.canTake(now)) {
				const score = (endpoint.slots - endpoint.inFlight) / endpoint.slots - (endpoint.latencyMs ?? 0) / 1e9;
				if (score > bestScore) {
					best = endpoint;
					bestScore = score;
				}
			}
		}

		return best;
	}

	private dispatch(job: Job, endpoint: Endpoint): void {
		const wasSaturated = endpoint.inFlight + 1 >= endpoint.slots;
		endpoint.inFlight++;
		const started = performance.now();
		const request = {model: endpoint.model, texts: job.texts, dimensions: this.options.requestDimensions, signal: this.abort.signal};
		endpoint.client
			.embed(request)
			.then(vectors => {
				if (vectors[0]!.length !== this.options.dimension) {
					throw new RemoteEndpointError('bad-response', endpoint.url, `answered ${vectors[0]!.length}-d vectors, the target is ${this.options.dimension}-d`);
				}

				endpoint.inFlight--;
				endpoint.recordSuccess(performance.now() - started, job.texts.length, wasSaturated);
				if (endpoint.onProbation) {
					endpoint.onProbation = false;
					this.emit('endpoint:back', endpoint, 'INFO', endpointLogText.back(endpoint.url));
				}

				job.settle({vectors});
			})
			.catch((error: unknown) => {
				endpoint.inFlight = Math.max(0, endpoint.inFlight - 1);
				this.handleFailure(job, endpoint, error);
			})
			.finally(() => this.pump());
	}

	private handleFailure(job: Job, endpoint: Endpoint, error: unknown): void {
		if (this.closed) {
			job.settle({error: error instanceof Error ? error : new Error(String(error))});
			return;
		}

		const failure = error instanceof RemoteEndpointError ? error : new RemoteEndpointError('transient', endpoint.url, errorMessage(error));
		endpoint.recordFailure(failure.message);
		const now = Date.now();
		switch (failure.kind) {
			case 'too-large': {
				if (job.texts.length <= 1) {
					job.settle({error: failure});
					return;
				}

				const to = Math.max(1, Math.floor(job.texts.length / 2));
				if (endpoint.maxRows === undefined || to < endpoint.maxRows) {
					this.emit('endpoint:batch:halve', endpoint, 'WARNING', endpointLogText.batchHalved(endpoint.url, job.texts.length, to));
					endpoint.maxRows = to;
				}

				this.queue.unshift(job);
				return;
			}

			case 'rate-limited': {
				job.rateLimits++;
				const waitMs = failure.retryAfterMs ?? this.backoff(job.rateLimits);
				endpoint.pausedUntil = Math.max(endpoint.pausedUntil, now + waitMs);
				endpoint.backOff();
				this.emit('endpoint:rate-limited', endpoint, 'WARNING', endpointLogText.rateLimited(endpoint.url, waitMs));
				return this.retryOrFail(job, failure, job.rateLimits > 4 * this.options.maxAttempts, 0);
			}

			case 'auth':
			case 'bad-response': {
				this.remove(endpoint, failure.message);
				this.queue.unshift(job);
				return;
			}

			case 'bad-input': {
				job.settle({error: failure});
				return;
			}

			case 'transient': {
				endpoint.backOff();
				if (++endpoint.consecutiveFailures >= this.options.failuresToTakeOut) {
					this.takeOut(endpoint, failure.message);
				}

				job.attempts++;
				return this.retryOrFail(job, failure, job.attempts >= this.options.maxAttempts, now + this.backoff(job.attempts));
			}
		}
	}

	private retryOrFail(job: Job, failure: Error, giveUp: boolean, notBefore: number): void {
		if (giveUp) {
			job.settle({error: failure});
			return;
		}

		job.notBefore = notBefore;
		this.queue.unshift(job);
	}

	/** Exponential backoff with jitter (half fixed, half random), so retries do not march in step. */
	private backoff(attempt: number): number {
		const ceiling = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
		return ceiling / 2 + (ceiling / 2) * this.options.random();
	}

	private takeOut(endpoint: Endpoint, reason: string): void {
		if (endpoint.state !== 'up') {
			return;
		}

		endpoint.timesOut++;
		if (endpoint.timesOut > this.options.maxTimesOut) {
			this.remove(endpoint, `${reason} (taken out ${this.options.maxTimesOut} times)`);
			return;
		}

		const retryInMs = Math.min(this.options.maxCooldownMs, this.options.cooldownMs * 2 ** (endpoint.timesOut - 1));
		endpoint.state = 'out';
		endpoint.outUntil = Date.now() + retryInMs;
		this.emit('endpoint:out', endpoint, 'WARNING', endpointLogText.takenOut(endpoint.url, reason, retryInMs));
	}

	private remove(endpoint: Endpoint, reason: string): void {
		if (endpoint.state !== 'removed') {
			endpoint.state = 'removed';
			this.emit('endpoint:removed', endpoint, 'ERROR', endpointLogText.removed(endpoint.url, reason));
		}
	}

	/** An endpoint whose wait is over gets one slot and one failure's grace. */
	private reviveDue(now: number): void {
		for (const endpoint of this.endpoints) {
			if (endpoint.state === 'out' && endpoint.outUntil <= now) {
				endpoint.state = 'up';
				endpoint.slots = 1;
				endpoint.onProbation = true;
				endpoint.consecutiveFailures = this.options.failuresToTakeOut - 1;
			}
		}
	}

	private failAll(): void {
		const error = new EndpointsExhaustedError(this.endpoints.map(endpoint => endpoint.lastError ?? `${endpoint.url} removed`));
		for (const job of this.queue.splice(0)) {
			job.settle({error});
		}
	}

	/** Wakes the pump when the next waiting batch, Retry-After or cooldown is due. */
	private scheduleWake(now: number): void {
		if (this.queue.length === 0) {
			return;
		}

		const moments = [
			...this.queue.map(job => job.notBefore),
			...this.endpoints.filter(endpoint => endpoint.state === 'up').map(endpoint => endpoint.pausedUntil),
			...this.endpoints.filter(endpoint => endpoint.state === 'out').map(endpoint => endpoint.outUntil),
		].filter(moment => moment > now);
		const at = Math.min(...moments);
		if (!Number.isFinite(at) || (this.timer && this.timerAt <= at)) {
			return;
		}

		clearTimeout(this.timer);
		this.timerAt = at;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.timerAt = Number.POSITIVE_INFINITY;
			this.pump();
		}, at - now);
	}
}

/** A batch cut to an endpoint's limit; the parts settle the original once all have answered. */
function splitJob(job: Job, size: number): Job[] {
	const results: Float32Array[] = Array.from({length: job.texts.length});
	let remaining = Math.ceil(job.texts.length / size);
	let failed = false;
	const parts: Job[] = [];
	for (let start = 0; start < job.texts.length; start += size) {
		parts.push({
			...job,
			texts: job.texts.slice(start, start + size),
			settle(outcome) {
				if (failed) {
					return;
				}

				if ('error' in outcome) {
					failed = true;
					job.settle(outcome);
					return;
				}

				for (const [offset, vector] of outcome.vectors.entries()) {
					results[start + offset] = vector;
				}

				if (--remaining === 0) {
					job.settle({vectors: results});
				}
			},
		});
	}

	return parts;
}
