/** The log panel's lines: ERROR and WARNING entries only, repeats collapsed into one with a count. */
import type {LogEntry} from '../engine/log/format.js';
import {maxLogLines, type DashboardState, type LogLine} from './state-types.js';

export function addLogLines(state: DashboardState, entries: LogEntry[]): DashboardState {
	let lines = state.logLines;
	let {errorCount, warningCount} = state;
	let changed = false;
	for (const entry of entries) {
		if (entry.level !== 'ERROR' && entry.level !== 'WARNING' && entry.level !== 'CRITICAL') {
			continue;
		}

		changed = true;
		const level: LogLine['level'] = entry.level === 'WARNING' ? 'WARNING' : 'ERROR';
		if (level === 'ERROR') {
			errorCount++;
		} else {
			warningCount++;
		}

		const last = lines.at(-1);
		lines =
			last && last.level === level && last.message === entry.message
				? [...lines.slice(0, -1), {...last, count: last.count + 1, time: entry.time}]
				: [...lines, {level, message: entry.message, time: entry.time, count: 1}].slice(-maxLogLines);
	}

	return changed ? {...state, logLines: lines, errorCount, warningCount} : state;
}
