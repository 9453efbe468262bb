/**
 * The numbers the progress panel shows, derived so they never lie: the rate counts only this
 * run's commits over a sliding window (restarted on pause and resume), the ETA waits until that
 * rate is stable, and DONE shows the run's average instead of a decayed window.
 */
import {etaOf, percentOf, rateOf} from '../engine/util/rate.js';
import type {DashboardState} from './state-types.js';

/** An ETA needs commits spread over at least this long since the window (re)started. */
export const stableAfterMs = 5000;
const stableSamples = 3;
const sparklineSeconds = 30;

export function currentRate(state: DashboardState): number | undefined {
	return rateOf(state.rateSamples);
}

/** Seconds left, only while embedding with a stable rate; the index and verify phases have none. */
export function stableEta(state: DashboardState): number | undefined {
	if (state.mode !== 'running' || (state.phase !== 'embed' && state.phase !== 'catchup')) {
		return undefined;
	}

	const first = state.rateSamples[0];
	const last = state.rateSamples.at(-1);
	if (!first || !last || state.rateSamples.length < stableSamples || last.time - first.time < stableAfterMs) {
		return undefined;
	}

	return etaOf(currentRate(state), state.total - state.done - state.failed);
}

/** Vectors per second over the whole run (DONE), or undefined. */
export function averageRate(state: DashboardState): number | undefined {
	if (state.startedAt === undefined || state.runCommitted === 0) {
		return undefined;
	}

	const seconds = ((state.finishedAt ?? state.now) - state.startedAt) / 1000;
	return seconds > 0 ? state.runCommitted / seconds : undefined;
}

export type BarReading = {percent: number | undefined; counts: string};

/**
 * What the bar shows: channels in the index and verify phases (nothing until the first channel's
 * count), messages otherwise; no percentage at all while nothing is known (total 0 before the
 * first count), never a false 100%.
 */
export function barReading(state: DashboardState): BarReading {
	if ((state.phase === 'index' || state.phase === 'verify') && state.mode !== 'done') {
		// The panel labels these counts "channels": before the first channel's count, show none.
		if (!state.channels) {
			return {percent: undefined, counts: '—'};
		}

		const {built, total} = state.channels;
		return {percent: total > 0 ? percentOf(built, total) : undefined, counts: `${built}/${total}`};
	}

	if (state.total <= 0) {
		return {percent: state.mode === 'done' ? 100 : undefined, counts: state.mode === 'done' ? '0/0' : '—'};
	}

	return {percent: percentOf(state.done, state.total), counts: `${state.done}/${state.total}`};
}

/** Adds `delta` vectors to the current second's bucket of the sparkline, rolling seconds over. */
export function addThroughput(state: DashboardState, now: number, delta: number): Pick<DashboardState, 'throughput' | 'throughputSecond'> {
	const second = Math.floor(now / 1000);
	let throughput = state.throughput;
	if (state.throughputSecond === undefined) {
		throughput = [0];
	} else if (second > state.throughputSecond) {
		const gap = Math.min(sparklineSeconds, second - state.throughputSecond);
		throughput = [...throughput, ...Array.from({length: gap}, () => 0)].slice(-sparklineSeconds);
	}

	if (delta !== 0) {
		throughput = [...throughput.slice(0, -1), (throughput.at(-1) ?? 0) + delta];
	}

	return {throughput, throughputSecond: second};
}
