/**
 * Which problems from the guide's catalogue are current, from the dashboard state: recent engine
 * events (out of memory, stalls, locks, low RAM), rates, memory growth, failures, and recent
 * ERROR/WARNING log lines matched by signature. Pure, so it is tested without a terminal.
 */
import {matchProblem, problemById, type ProblemDefinition, type ProblemId} from '../engine/diagnosis/catalogue.js';
import {leakThresholdBytes} from '../engine/monitor/resources.js';
import {rateOf} from '../engine/util/rate.js';
import type {DashboardState} from './state.js';

/** How long an event keeps its problem on screen after it was last seen. */
const recentMs = 60_000;
/** The guide's threshold for a slow migration: 100 vectors a minute. */
const slowVectorsPerSecond = 100 / 60;

export type ActiveProblem = {problem: ProblemDefinition; detail: string};

const isRecent = (state: DashboardState, time: number | undefined) => time !== undefined && state.now - time <= recentMs;

export function activeProblems(state: DashboardState): ActiveProblem[] {
	const found = new Map<ProblemId, string>();
	const add = (id: ProblemId, detail: string) => {
		if (!found.has(id)) {
			found.set(id, detail);
		}
	};

	if (state.runError) {
		add(matchProblem(state.runError)?.id ?? 'run-error', state.runError);
	}

	if (isRecent(state, state.seen.oom)) {
		add('gpu-oom', `batch now ${state.batchSize} on ${state.device}`);
	}

	if (isRecent(state, state.seen.stall) && state.lastCommitAt !== undefined && state.seen.stall! >= state.lastCommitAt) {
		add('stalled', `no batch for ${Math.round((state.now - state.lastCommitAt) / 1000)} s`);
	}

	if (isRecent(state, state.seen.busy)) {
		add('database-locked', 'retrying with backoff');
	}

	if (isRecent(state, state.seen.lowMemory)) {
		add('ram-low', `${Math.round(state.lowMemoryFreeMb ?? 0)} MB free`);
	}

	const {resources, rssBaseline} = state;
	if (resources && rssBaseline !== undefined && resources.rssBytes - rssBaseline > leakThresholdBytes) {
		add('memory-growth', `+${Math.round((resources.rssBytes - rssBaseline) / 2 ** 20)} MB since start`);
	}

	const rate = rateOf(state.rateSamples);
	const runningLongEnough = state.startedAt !== undefined && state.now - state.startedAt > 60_000;
	if (state.mode === 'running' && state.phase === 'embed' && runningLongEnough && rate !== undefined && rate < slowVectorsPerSecond) {
		add('slow', `${(rate * 60).toFixed(0)} vectors/min`);
	}

	if (state.failed > 0) {
		add('failed-messages', `${state.failed} failed`);
	}

	for (const line of state.logLines.slice(-20).reverse()) {
		const matched = matchProblem(line.message);
		if (matched) {
			add(matched.id, line.message);
		}
	}

	const severityRank = {error: 0, warning: 1};
	return [...found]
		.map(([id, detail]) => ({problem: problemById(id), detail}))
		.sort((a, b) => severityRank[a.problem.severity] - severityRank[b.problem.severity]);
}
