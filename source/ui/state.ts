/**
 * The dashboard's state, reduced from engine events, sampler readings, log lines and the clock.
 * The reducer is pure: the same actions give the same state, so it is tested without a terminal,
 * and an action that changes nothing returns the same object (no redraw).
 */
import type {ProblemId} from '../engine/diagnosis/catalogue.js';
import type {LogEntry} from '../engine/log/format.js';
import type {MigrationEventMap, MigrationEventName, Phase} from '../engine/migration/events.js';
import type {ResourceReading} from '../engine/monitor/resources.js';
import type {RunSnapshot} from '../engine/control/protocol.js';
import type {RateSample} from '../engine/util/rate.js';
import {reduceEngine} from './engine-reducer.js';
import {addLogLines} from './log-lines.js';
import {addThroughput} from './metrics.js';
import {reduceAttached, reduceWatched, type WatchedRun} from './watched.js';

export type {WatchedRun} from './watched.js';

export type EngineEvent = {[Name in MigrationEventName]: {name: Name; payload: MigrationEventMap[Name]}}[MigrationEventName];

export type RunMode = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'done' | 'aborted' | 'failed' | 'rolled-back';

export type LogLine = {level: 'ERROR' | 'WARNING'; message: string; time: string; count: number};

export type Overlay =
	| {kind: 'none'}
	| {kind: 'help'; page: number}
	| {kind: 'history'}
	| {kind: 'confirm-rollback'; typed: string; wrong: boolean}
	| {kind: 'confirm-quit'}
	| {kind: 'busy'; message: string};

/** A problem that was seen and has since been resolved, for the history view. */
export type PastProblem = {id: ProblemId; detail: string; seenAt: number; resolvedAt: number};

/** Troubles known from engine events, with when they were last seen. */
export type SeenTrouble = 'oom' | 'stall' | 'busy' | 'lowMemory';

/** The status line; `label` names what changed, in the reader's language ("batch 32 → 16"). */
export type Notice = {text: string; at: number; label?: 'batch' | 'device'};

/** A problem that stops the dashboard from starting anything (bad workspace, bad settings). */
export type Fatal = {message: string; hint: string | undefined; exitCode: number};

export type DashboardState = {
	now: number;
	mode: RunMode;
	readOnly: boolean;
	phase: Phase | undefined;
	done: number;
	total: number;
	failed: number;
	blank: number;
	truncated: number;
	batchSize: number;
	/** A user batch change not yet applied (it takes effect at the next batch the engine plans). */
	pendingBatch: {from: number; to: number} | undefined;
	device: 'cpu' | 'cuda';
	startedAt: number | undefined;
	finishedAt: number | undefined;
	/** Vectors committed by this run (not earlier attempts): what the rate counts. */
	runCommitted: number;
	rateSamples: RateSample[];
	/** Channel indexes built / to build, in the index and verify phases. */
	channels: {built: number; total: number} | undefined;
	/** Vectors per second in each of the last 30 seconds, oldest first. */
	throughput: number[];
	throughputSecond: number | undefined;
	lastCommitAt: number | undefined;
	/** When each kind of trouble was last seen (ms), until a later commit resolves it. */
	seen: Partial<Record<SeenTrouble, number>>;
	history: PastProblem[];
	lowMemoryFreeMb: number | undefined;
	runError: string | undefined;
	/** The exit code the run's error asks for (2 for configuration errors). */
	runErrorExitCode: number | undefined;
	fatal: Fatal | undefined;
	resources: ResourceReading | undefined;
	rssBaseline: number | undefined;
	logLines: LogLine[];
	errorCount: number;
	warningCount: number;
	overlay: Overlay;
	/** A short message about the last key or action ("batch size 32 → 16"). */
	notice: Notice | undefined;
	quitRequested: boolean;
	verify: {ok: boolean; text: string} | undefined;
	/** The run record says "running" but no process holds its lock: the runner died. */
	runnerGone: boolean;
	/** Attached to a run another process owns, through its control channel. */
	attached: boolean;
	/** The owning process's RSS (attached), with its first reading as the baseline. */
	ownerRss: {bytes: number; baseline: number} | undefined;
};

export type DashboardAction =
	| {type: 'tick'; now: number}
	| {type: 'engine'; event: EngineEvent; now: number}
	| {type: 'resources'; reading: ResourceReading}
	| {type: 'log'; entries: LogEntry[]}
	| {type: 'mode'; mode: RunMode; error?: string; exitCode?: number; now: number}
	| {type: 'fatal'; fatal: Fatal}
	| {type: 'baseline'; done: number; total: number}
	| {type: 'rolled-back'; now: number}
	| {type: 'overlay'; overlay: Overlay}
	| {type: 'notice'; text: string; now: number}
	| {type: 'quit-requested'}
	| {type: 'verify'; ok: boolean; text: string}
	| {type: 'watch'; snapshot: WatchedRun; now: number}
	| {type: 'attached'; snapshot: RunSnapshot}
	| {type: 'detached'};

export const maxLogLines = 200;
const noticeMs = 8000;

export function initialState(options: {now: number; readOnly?: boolean; mode?: RunMode; batchSize?: number; device?: 'cpu' | 'cuda'}): DashboardState {
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
	};
}

/**
 * A new run from this dashboard: the previous run's error, finish time, rate and channel counts
 * no longer describe anything (a stale "model could not be loaded" would mislead), so they go.
 */
function startRun(state: DashboardState, now: number): DashboardState {
	const history = state.runError ? [...state.history, {id: 'run-error' as ProblemId, detail: state.runError, seenAt: state.finishedAt ?? now, resolvedAt: now}] : state.history;
	return {...state, runnerGone: false, mode: 'starting', startedAt: now, finishedAt: undefined, runError: undefined, runErrorExitCode: undefined, runCommitted: 0, rateSamples: [], channels: undefined, history, quitRequested: false};
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
