/**
 * Throughput over a sliding window and the ETA it implies, as pure functions over samples (the
 * dashboard's reducer keeps the samples in its state) and a small class for the headless printer.
 * Never NaN, negative or infinite: undefined means "not enough samples yet".
 */

export type RateSample = {time: number; count: number};

/** Appends a sample of the cumulative count, dropping samples older than the window. */
export function addRateSample(samples: readonly RateSample[], time: number, count: number, windowMs = 10_000): RateSample[] {
	const last = samples.at(-1);
	// A count that goes backwards (a recount) starts the window over rather than give a negative rate.
	if (last && count < last.count) {
		return [{time, count}];
	}

	// Keep the last sample before the window as its anchor, so the span covers the whole window.
	const firstInside = samples.findIndex(sample => sample.time >= time - windowMs);
	const start = firstInside < 0 ? Math.max(0, samples.length - 1) : Math.max(0, firstInside - 1);
	return [...samples.slice(start), {time, count}];
}

/** Items per second over the samples, or undefined with under 1 s or 2 samples of history. */
export function rateOf(samples: readonly RateSample[]): number | undefined {
	const first = samples[0];
	const last = samples.at(-1);
	if (!first || !last || last.time - first.time < 1000) {
		return undefined;
	}

	const rate = ((last.count - first.count) * 1000) / (last.time - first.time);
	return Number.isFinite(rate) && rate >= 0 ? rate : undefined;
}

/** Seconds until `remaining` more items are done at `rate`, or undefined. */
export function etaOf(rate: number | undefined, remaining: number): number | undefined {
	if (rate === undefined || rate <= 0 || !Number.isFinite(remaining)) {
		return undefined;
	}

	return Math.max(0, remaining) / rate;
}

export class RateMeter {
	private samples: RateSample[] = [];

	constructor(private readonly windowMs = 10_000) {}

	add(time: number, count: number): void {
		this.samples = addRateSample(this.samples, time, count, this.windowMs);
	}

	rate(): number | undefined {
		return rateOf(this.samples);
	}

	eta(remaining: number): number | undefined {
		return etaOf(this.rate(), remaining);
	}
}

/** `1:05:09`, `4:05`, `0:09`; "—" when unknown. */
export function formatDuration(seconds: number | undefined): string {
	if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
		return '—';
	}

	const whole = Math.round(seconds);
	const hours = Math.floor(whole / 3600);
	const minutes = Math.floor((whole % 3600) / 60);
	const secs = whole % 60;
	const mmss = `${hours > 0 ? String(minutes).padStart(2, '0') : minutes}:${String(secs).padStart(2, '0')}`;
	return hours > 0 ? `${hours}:${mmss}` : mmss;
}

/** Percentage clamped to 0..100; 100 for an empty total. */
export function percentOf(done: number, total: number): number {
	if (total <= 0) {
		return 100;
	}

	return Math.min(100, Math.max(0, (done / total) * 100));
}
