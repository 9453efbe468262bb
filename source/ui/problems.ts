/**
 * Which problems from the guide's catalogue are current, newest first: a problem at open (bad
 * workspace or settings), the run's error, unresolved engine troubles, rates, memory growth,
 * failures, and recent ERROR/WARNING log lines matched by signature unless a later commit
 * resolved that problem. Pure, so it is tested without a terminal.
 */
import {matchProblem, problemById, type ProblemDefinition, type ProblemId} from '../engine/diagnosis/catalogue.js';
import {leakThresholdBytes} from '../engine/monitor/resources.js';
import {rateOf} from '../engine/util/rate.js';
import {fill, strings, type Strings} from './i18n.js';
import type {DashboardState} from './state.js';

/** Low RAM has no commit to resolve it while paused: it fades after a minute instead. */
const recentMs = 60_000;
/** The guide's threshold for a slow migration: 100 vectors a minute. */
const slowVectorsPerSecond = 100 / 60;

export type ActiveProblem = {problem: ProblemDefinition; detail: string; at: number};

/** A log line's local `YYYY-MM-DD HH:MM:SS` as ms, or 0 when it does not parse. */
export function logTime(time: string): number {
	const match = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)/.exec(time);
	if (!match) {
		return 0;
	}

	const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
	return new Date(year, month - 1, day, hour, minute, second).getTime();
}

function eventProblems(state: DashboardState, t: Strings, add: (id: ProblemId, detail: string, at: number) => void): void {
	const {seen} = state;
	if (seen.oom !== undefined) {
		add('gpu-oom', fill(t.detailBatchNow, {size: state.batchSize, device: state.device}), seen.oom);
	}

	if (seen.stall !== undefined && (state.lastCommitAt === undefined || seen.stall >= state.lastCommitAt)) {
		add('stalled', fill(t.detailNoBatch, {seconds: Math.round((state.now - (state.lastCommitAt ?? state.startedAt ?? state.now)) / 1000)}), seen.stall);
	}

	if (seen.busy !== undefined) {
		add('database-locked', t.detailRetrying, seen.busy);
	}

	if (seen.lowMemory !== undefined && state.now - seen.lowMemory <= recentMs) {
		add('ram-low', fill(t.detailFree, {mb: Math.round(state.lowMemoryFreeMb ?? 0)}), seen.lowMemory);
	}
}

function measuredProblems(state: DashboardState, t: Strings, add: (id: ProblemId, detail: string, at: number) => void): void {
	const {resources, rssBaseline} = state;
	if (resources && rssBaseline !== undefined && resources.rssBytes - rssBaseline > leakThresholdBytes) {
		add('memory-growth', fill(t.detailGrowth, {mb: Math.round((resources.rssBytes - rssBaseline) / 2 ** 20)}), resources.time);
	}

	const rate = rateOf(state.rateSamples);
	const runningLongEnough = state.startedAt !== undefined && state.now - state.startedAt > 60_000;
	if (state.mode === 'running' && state.phase === 'embed' && runningLongEnough && rate !== undefined && rate < slowVectorsPerSecond) {
		add('slow', fill(t.detailSlow, {rate: (rate * 60).toFixed(0)}), state.now);
	}

	if (state.failed > 0) {
		add('failed-messages', fill(t.detailFailed, {count: state.failed}), state.lastCommitAt ?? state.now);
	}
}

function logProblems(state: DashboardState, add: (id: ProblemId, detail: string, at: number) => void): void {
	const resolvedAt = new Map<ProblemId, number>();
	for (const past of state.history) {
		resolvedAt.set(past.id, Math.max(resolvedAt.get(past.id) ?? 0, past.resolvedAt));
	}

	for (const line of state.logLines.slice(-20)) {
		const matched = matchProblem(line.message);
		const at = logTime(line.time);
		// Log times have whole seconds: a line from the second a problem was resolved is old news.
		if (matched && at + 1000 > (resolvedAt.get(matched.id) ?? 0)) {
			add(matched.id, line.message, at);
		}
	}
}

export function activeProblems(state: DashboardState, t: Strings = strings('en')): ActiveProblem[] {
	const found = new Map<ProblemId, {detail: string; at: number}>();
	const add = (id: ProblemId, detail: string, at: number) => {
		const known = found.get(id);
		if (!known || at > known.at) {
			found.set(id, {detail: known && !detail ? known.detail : detail, at});
		}
	};

	eventProblems(state, t, add);
	measuredProblems(state, t, add);
	logProblems(state, add);
	const list = [...found].map(([id, {detail, at}]) => ({problem: problemById(id), detail, at}));
	// What stops everything comes first: the problem at open, then the run's own error.
	const terminal: ActiveProblem[] = [];
	if (state.fatal) {
		terminal.push({problem: matchProblem(state.fatal.message) ?? problemById('run-error'), detail: state.fatal.message, at: Number.POSITIVE_INFINITY});
	} else if (state.runError) {
		terminal.push({problem: matchProblem(state.runError) ?? problemById('run-error'), detail: state.runError, at: state.finishedAt ?? state.now});
	} else if (state.logIncomplete) {
		terminal.push({problem: problemById('log-incomplete'), detail: state.logIncomplete, at: state.finishedAt ?? state.now});
	}

	return [...terminal, ...list.filter(item => !terminal.some(first => first.problem.id === item.problem.id)).sort((a, b) => b.at - a.at)];
}
