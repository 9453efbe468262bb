/**
 * One endpoint's state in the pool: whether it takes work, how many requests it may have in
 * flight (tuned from its latency), the largest batch it accepts, and the figures the dashboard shows.
 */
import type {EmbeddingClient} from './client.js';

export type EndpointState = 'up' | 'out' | 'removed';

/** What the dashboard's endpoint row shows. */
export type EndpointStats = {
	url: string;
	model: string;
	state: EndpointState;
	/** Up, but waiting out a Retry-After, failing, or on probation after a cooldown. */
	retrying: boolean;
	inFlight: number;
	/** Requests it may have in flight now. */
	slots: number;
	/** Largest batch it accepts (after 413 halvings); undefined: no limit seen. */
	maxRows: number | undefined;
	texts: number;
	requests: number;
	errors: number;
	/** Moving average of successful requests' latency. */
	latencyMs: number | undefined;
	lastError: string | undefined;
};

export type TuningOptions = {initialInFlight: number; maxInFlight: number};

export class Endpoint {
	state: EndpointState = 'up';
	inFlight = 0;
	slots: number;
	maxRows: number | undefined;
	/** No request before this time (Retry-After). */
	pausedUntil = 0;
	/** While out: when to try it again. */
	outUntil = 0;
	timesOut = 0;
	consecutiveFailures = 0;
	/** Taken out and put back, and no success since: the next success is logged. */
	onProbation = false;
	texts = 0;
	requests = 0;
	errors = 0;
	latencyMs: number | undefined;
	bestLatencyMs = Number.POSITIVE_INFINITY;
	lastError: string | undefined;

	constructor(
		readonly client: EmbeddingClient,
		/** The model name this server knows the target model by. */
		readonly model: string,
		private readonly tuning: TuningOptions,
	) {
		this.slots = tuning.initialInFlight;
	}

	get url(): string {
		return this.client.baseUrl;
	}

	/** Takes work now: up, not waiting out a Retry-After, and a free slot. */
	canTake(now: number): boolean {
		return this.state === 'up' && this.pausedUntil <= now && this.inFlight < this.slots;
	}

	/**
	 * Additive increase: one more slot when the endpoint was saturated and latency has not grown
	 * past 1.5 × the best seen (the server still has capacity); failures halve (see `backOff`).
	 */
	recordSuccess(latencyMs: number, texts: number, wasSaturated: boolean): void {
		this.consecutiveFailures = 0;
		this.texts += texts;
		this.requests++;
		this.latencyMs = this.latencyMs === undefined ? latencyMs : this.latencyMs * 0.8 + latencyMs * 0.2;
		this.bestLatencyMs = Math.min(this.bestLatencyMs, latencyMs);
		if (wasSaturated && latencyMs <= 1.5 * this.bestLatencyMs) {
			this.slots = Math.min(this.tuning.maxInFlight, this.slots + 1);
		}
	}

	recordFailure(message: string): void {
		this.requests++;
		this.errors++;
		this.lastError = message;
	}

	/** Multiplicative decrease after a 429, timeout or 5xx. */
	backOff(): void {
		this.slots = Math.max(1, Math.ceil(this.slots / 2));
	}

	stats(now = Date.now()): EndpointStats {
		const {url, model, state, inFlight, slots, maxRows, texts, requests, errors, latencyMs, lastError} = this;
		const retrying = state === 'up' && (this.pausedUntil > now || this.onProbation || this.consecutiveFailures > 0);
		return {url, model, state, retrying, inFlight, slots, maxRows, texts, requests, errors, latencyMs, lastError};
	}
}
