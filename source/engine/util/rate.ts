/**
 * Throughput over a sliding window and the ETA it implies. Used by the headless progress line and
 * the dashboard, so both show the same numbers. Never returns NaN, negative or infinite values:
 * undefined means "not enough samples yet".
 */

export class RateMeter {
	private readonly samples: Array<{time: number; count: number}> = [];

	constructor(private readonly windowMs = 10_000) {}

	/** Records the cumulative count at `time` (ms). */
	add(time: number, count: number): void {
		const last = this.samples.at(-1);
		if (last && count < last.count) {
			// The count went backwards (a recount): start over rather than report a negative rate.
			this.samples.length = 0;
		}

		this.samples.push({time, count});
		while (this.samples.length > 2 && this.samples[0]!.time < time - this.windowMs) {
			this.samples.shift();
		}
	}

	/** Items per second over the window, or undefined with under 1 s or 2 samples of history. */
	rate(): number | undefined {
		const first = this.samples[0];
		const last = this.samples.at(-1);
		if (!first || !last || last.time - first.time < 1000) {
			return undefined;
		}

		const rate = ((last.count - first.count) * 1000) / (last.time - first.time);
		return Number.isFinite(rate) && rate >= 0 ? rate : undefined;
	}

	/** Seconds until `remaining` more items are done at the current rate, or undefined. */
	eta(remaining: number): number | undefined {
		const rate = this.rate();
		if (rate === undefined || rate <= 0 || !Number.isFinite(remaining)) {
			return undefined;
		}

		return Math.max(0, remaining) / rate;
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

/** Percentage clamped to 0..100, with one decimal; 100 for an empty total. */
export function percentOf(done: number, total: number): number {
	if (total <= 0) {
		return 100;
	}

	return Math.min(100, Math.max(0, (done / total) * 100));
}
