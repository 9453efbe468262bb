/**
 * Spreads embedding requests over several endpoints at once. Each request (a batch of texts) goes
 * to exactly one endpoint at a time and settles exactly once; faults are handled here so the engine
 * only sees a batch fail when its texts were refused, or when no endpoint is left:
 * 429 waits for Retry-After, 5xx / timeouts / resets are retried elsewhere with backoff and jitter,
 * 413 or "too many tokens" halves that endpoint's batch, an endpoint that keeps failing is taken
 * out and tried again later, and one that refuses the key or answers nonsense is removed.
 */
import {errorMessage} from '../errors.js';
import type {EmbedInput} from './client.js';
import {Endpoint, type EndpointStats} from './endpoint.js';
import {logText} from '../log/messages.js';
import {EndpointsExhaustedError, RemoteEndpointError} from './remote-errors.js';
import {backoffMs, splitJob, type Job} from './jobs.js';
import {poolDefaults, type PoolEvent, type PoolOptions} from './pool-options.js';

export type {PoolEvent, PoolOptions} from './pool-options.js';

export class EndpointPool {
	private readonly endpoints: Endpoint[];
	private readonly queue: Job[] = [];
	private readonly options: Required<Omit<PoolOptions, 'requestDimensions' | 'onEvent'>> & Pick<PoolOptions, 'requestDimensions' | 'onEvent'>;
	private timer: NodeJS.Timeout | undefined;
	private timerAt = Number.POSITIVE_INFINITY;
	private readonly abort = new AbortController();
	private closed = false;

	constructor(endpoints: ReadonlyArray<{client: Endpoint['client']; model: string}>, options: PoolOptions) {
		this.options = {...poolDefaults, ...options};
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
	async embed(texts: readonly EmbedInput[]): Promise<Float32Array[]> {
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
			const error = new EndpointsExhaustedError(this.endpoints.map(endpoint => endpoint.lastError ?? `${endpoint.url} removed`));
			for (const job of this.queue.splice(0)) {
				job.settle({error});
			}

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
					this.emit('endpoint:back', endpoint, 'INFO', logText.endpointBack(endpoint.url));
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
				this.onTooLarge(job, endpoint, failure);
				return;
			}

			case 'rate-limited': {
				this.onRateLimited(job, endpoint, failure, now);
				return;
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

	/** 413 or "too many tokens": that endpoint takes half as many texts from now on. */
	private onTooLarge(job: Job, endpoint: Endpoint, failure: RemoteEndpointError): void {
		if (job.texts.length <= 1) {
			job.settle({error: failure});
			return;
		}

		const to = Math.max(1, Math.floor(job.texts.length / 2));
		if (endpoint.maxRows === undefined || to < endpoint.maxRows) {
			this.emit('endpoint:batch:halve', endpoint, 'WARNING', logText.endpointBatchHalved(endpoint.url, job.texts.length, to));
			endpoint.maxRows = to;
		}

		this.queue.unshift(job);
	}

	/** 429: that endpoint waits out Retry-After (or a backoff) with fewer slots; the others go on. */
	private onRateLimited(job: Job, endpoint: Endpoint, failure: RemoteEndpointError, now: number): void {
		job.rateLimits++;
		const waitMs = failure.retryAfterMs ?? this.backoff(job.rateLimits);
		endpoint.pausedUntil = Math.max(endpoint.pausedUntil, now + waitMs);
		endpoint.backOff();
		this.emit('endpoint:rate-limited', endpoint, 'WARNING', logText.endpointRateLimited(endpoint.url, waitMs));
		this.retryOrFail(job, failure, job.rateLimits > 4 * this.options.maxAttempts, 0);
	}

	private retryOrFail(job: Job, failure: Error, giveUp: boolean, notBefore: number): void {
		if (giveUp) {
			job.settle({error: failure});
			return;
		}

		job.notBefore = notBefore;
		this.queue.unshift(job);
	}

	private backoff(attempt: number): number {
		return backoffMs(attempt, this.options.backoffBaseMs, this.options.backoffMaxMs, this.options.random);
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
		this.emit('endpoint:out', endpoint, 'WARNING', logText.endpointTakenOut(endpoint.url, reason, retryInMs));
	}

	private remove(endpoint: Endpoint, reason: string): void {
		if (endpoint.state !== 'removed') {
			endpoint.state = 'removed';
			this.emit('endpoint:removed', endpoint, 'ERROR', logText.endpointRemoved(endpoint.url, reason));
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

	/** Wakes the pump when the next waiting batch, Retry-After or cooldown is due. */
	private scheduleWake(now: number): void {
		if (this.queue.length === 0) {
			return;
		}

		const waits = this.endpoints.map(endpoint => (endpoint.state === 'up' ? endpoint.pausedUntil : endpoint.state === 'out' ? endpoint.outUntil : 0));
		const moments = [...this.queue.map(job => job.notBefore), ...waits].filter(moment => moment > now);
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
