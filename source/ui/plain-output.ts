/**
 * TERM=dumb: a terminal that cannot move the cursor gets plain progress lines (one when the state
 * or phase changes, else one every few seconds while running) instead of a redrawn frame.
 */
import {formatDuration} from '../engine/util/rate.js';
import {toAscii} from './format.js';
import type {Strings} from './i18n.js';
import {averageRate, barReading, currentRate, stableEta} from './metrics.js';
import type {DashboardState} from './state.js';

const everyMs = 5000;

export function plainLine(state: DashboardState, t: Strings): string {
	const bar = barReading(state);
	const rate = state.mode === 'done' || state.mode === 'aborted' ? averageRate(state) : currentRate(state);
	const parts = [
		t.modes[state.mode],
		`${t.phase} ${state.phase ?? '-'}`,
		`${bar.counts}${bar.percent === undefined ? '' : ` (${bar.percent.toFixed(1)}%)`}`,
		`${t.rate} ${rate === undefined ? '-' : `${rate.toFixed(1)}/s`}`,
		`${t.eta} ${formatDuration(stableEta(state))}`,
		`${t.batch} ${state.batchSize}`,
		`${t.failed} ${state.failed}`,
	];
	const notice = state.notice?.text ?? state.runError ?? state.logIncomplete ?? state.fatal?.message;
	return `${parts.join('  ')}${notice ? `  | ${notice}` : ''}`;
}

/** Prints lines to `write` as the state changes; returns the function to call on every change. */
export function plainPrinter(write: (line: string) => void, t: Strings, unicode: boolean, now: () => number): (state: DashboardState) => void {
	let last = '';
	let lastKey = '';
	let lastAt = 0;
	return state => {
		const line = plainLine(state, t);
		const key = `${state.mode}|${state.phase}|${state.notice?.text}|${state.fatal?.message}`;
		if (line === last || (key === lastKey && now() - lastAt < everyMs)) {
			return;
		}

		last = line;
		lastKey = key;
		lastAt = now();
		write(`${unicode ? line : toAscii(line)}\n`);
	};
}
