/**
 * The dashboard's state, reduced from engine events, sampler readings, log lines and the clock.
 * The reducer is pure: the same actions give the same state, so it is tested without a terminal,
 * and an action that changes nothing returns the same object (no redraw).
 */
import type {ProblemId} from '../engine/diagnosis/catalogue.js';
import type {Device} from '../engine/types.js';
import {reduceEngine} from './engine-reducer.js';
import {addLogLines} from './log-lines.js';
import {addThroughput} from './metrics.js';
import {reduceAttached, reduceWatched} from './watched.js';
import {type DashboardAction, type DashboardState, type RunMode} from './state-types.js';

export * from './state-types.js';

const noticeMs = 8000;

export function initialState(options: {now: number; readOnly?: boolean; mode?: RunMode; batchSize?: number; device?: Device}): DashboardState {
	return {
		now: options.now,
		mode: options.mode ?? 'idle',
		readOnly: options.readOnly ?? false,
		phase: undefined,
		done: 0,
		total: 0,
		failed: 0,
		blank: 0,
		truncated: 0,
		batchSize: options.batchSize ?? 32,
		pendingBatch: undefined,
		device: options.device ?? 'cpu',
		startedAt: undefined,
		finishedAt: undefined,
		runCommitted: 0,
		rateSamples: [],
		channels: undefined,
		throughput: [],
		throughputSecond: undefined,
		lastCommitAt: undefined,
		seen: {},
		history: [],
		lowMemoryFreeMb: undefined,
		runError: undefined,
		runErrorExitCode: undefined,
		logIncomplete: undefined,
		fatal: undefined,
		resources: undefined,
		rssBaseline: undefined,
		logLines: [],
		errorCount: 0,
		warningCount: 0,
		overlay: {kind: 'none'},
		notice: undefined,
		quitRequested: false,
		verify: undefined,
		runnerGone: false,
		attached: false,
		ownerRss: undefined,
		endpoints: [],
	};
}

/**
 * A new run from this dashboard: the previous run's error, finish time, rate and channel counts
 * no longer describe anything (a stale "model could not be loaded" would mislead), so they go.
 */
function startRun(state: DashboardState, now: number): DashboardState {
	const history = state.runError ? [...state.history, {id: 'run-error' as ProblemId, detail: state.runError, seenAt: state.finishedAt ?? now, resolvedAt: now}] : state.history;
	return {...state, runnerGone: false, mode: 'starting', startedAt: now, finishedAt: undefined, runError: undefined, runErrorExitCode: undefined, logIncomplete: undefined, runCommitted: 0, rateSamples: [], channels: undefined, history, quitRequested: false};
}

function reduceTick(state: DashboardState, now: number): DashboardState {
	// The clock only matters for what it changes on screen: elapsed time (whole seconds), the
	// sparkline's rolling window, and notices expiring.
	if (Math.floor(now / 1000) === Math.floor(state.now / 1000)) {
		return state;
	}

	const running = state.mode === 'running' || state.mode === 'paused' || state.mode === 'stopping';
	return {
		...state,
		now,
		...(running ? addThroughput(state, now, 0) : {}),
		notice: state.notice && now - state.notice.at > noticeMs ? undefined : state.notice,
	};
}

function reduceMode(state: DashboardState, action: Extract<DashboardAction, {type: 'mode'}>): DashboardState {
	if (action.mode === 'starting') {
		return startRun(state, action.now);
	}

	const ended = action.mode === 'failed' || action.mode === 'done' || action.mode === 'aborted';
	return {
		...state,
		mode: action.mode,
		runError: action.error ?? state.runError,
		runErrorExitCode: action.exitCode ?? state.runErrorExitCode,
		finishedAt: ended ? (state.finishedAt ?? action.now) : state.finishedAt,
	};
}

/** Everything the migration did is undone: the counts start again from nothing. */
function rolledBack(state: DashboardState, now: number): DashboardState {
	const reset = initialState({now, readOnly: state.readOnly, batchSize: state.batchSize, device: state.device});
	const kept = {resources: state.resources, rssBaseline: state.rssBaseline, logLines: state.logLines, errorCount: state.errorCount, warningCount: state.warningCount, history: state.history, notice: state.notice};
	return {...reset, ...kept, mode: 'rolled-back'};
}

export function reduce(state: DashboardState, action: DashboardAction): DashboardState {
	switch (action.type) {
		case 'tick': {
			return reduceTick(state, action.now);
		}

		case 'engine': {
			return reduceEngine({...state, now: Math.max(state.now, action.now)}, action.event, action.now);
		}

		case 'resources': {
			return {...state, resources: action.reading, rssBaseline: state.rssBaseline ?? action.reading.rssBytes};
		}

		case 'log': {
			return addLogLines(state, action.entries);
		}

		case 'mode': {
			return reduceMode(state, action);
		}

		case 'fatal': {
			return {...state, fatal: action.fatal};
		}

		case 'baseline': {
			// Only before anything else has reported counts: a live run's numbers win.
			return state.total > 0 ? state : {...state, done: action.done, total: action.total};
		}

		case 'rolled-back': {
			return rolledBack(state, action.now);
		}

		case 'overlay': {
			return {...state, overlay: action.overlay};
		}

		case 'notice': {
			return {...state, notice: {text: action.text, at: action.now}, now: Math.max(state.now, action.now)};
		}

		case 'quit-requested': {
			return {...state, quitRequested: true};
		}

		case 'verify': {
			return {...state, verify: {ok: action.ok, text: action.text}};
		}

		case 'watch':
		case 'attached':
		case 'detached': {
			return reduceOutsideRun(state, action);
		}
	}
}

/** A run seen from outside: its record in the database, or its control channel. */
function reduceOutsideRun(state: DashboardState, action: Extract<DashboardAction, {type: 'watch' | 'attached' | 'detached'}>): DashboardState {
	if (action.type === 'watch') {
		return reduceWatched(state, action.snapshot, action.now);
	}

	return action.type === 'attached' ? reduceAttached(state, action.snapshot) : {...state, attached: false, ownerRss: undefined};
}
