/** The endpoint pool's knobs with their defaults, and the events it reports (for the log and the dashboard). */

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

/**
 * Two requests in flight to start, growing to 16 while latency holds; three failures in a row take
 * an endpoint out for 10 s, doubling to 2 min, five times at most; a batch is tried 8 times.
 */
export const poolDefaults = {
	initialInFlight: 2,
	maxInFlight: 16,
	failuresToTakeOut: 3,
	cooldownMs: 10_000,
	maxCooldownMs: 120_000,
	maxTimesOut: 5,
	maxAttempts: 8,
	backoffBaseMs: 200,
	backoffMaxMs: 10_000,
	random: Math.random,
};
