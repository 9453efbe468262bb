/**
 * The dashboard's state, reduced from engine events, sampler readings, log lines and the clock.
 * The reducer is pure: the same actions give the same state, so it is tested without a terminal,
 * and an action that changes nothing returns the same object (no redraw).
 */
import type {LogEntry} from '../engine/log/format.js';
import type {MigrationEventMap, MigrationEventName, Phase} from '../engine/migration/events.js';
import type {ResourceReading} from '../engine/monitor/resources.js';
import {addRateSample, type RateSample} from '../engine/util/rate.js';

export type EngineEvent = {[Name in MigrationEventName]: {name: Name; payload: MigrationEventMap[Name]}}[MigrationEventName];

export type RunMode = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'done' | 'aborted' | 'failed';

export type LogLine = {level: 'ERROR' | 'WARNING'; message: string; time: string; count: number};

export type Overlay =
	| {kind: 'none'}
	| {kind: 'help'}
	| {kind: 'confirm-rollback'; typed: string}
	| {kind: 'confirm-quit'}
	| {kind: 'busy'; message: string};

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
	device: 'cpu' | 'cuda';
	startedAt: number | undefined;
	finishedAt: number | undefined;
	rateSamples: RateSample[];
	/** Vectors per second in each of the last 30 seconds, oldest first. */
	throughput: number[];
	throughputSecond: number | undefined;
	lastCommitAt: number | undefined;
	/** When each kind of trouble was last seen (ms), for the troubleshooting pane. */
	seen: {oom?: number; stall?: number; busy?: number; lowMemory?: number};
	lowMemoryFreeMb: number | undefined;
	runError: string | undefined;
	resources: ResourceReading | undefined;
	rssBaseline: number | undefined;
	logLines: LogLine[];
	errorCount: number;
	warningCount: number;
	overlay: Overlay;
	/** A short message about the last action ("batch size 32 → 16"). */
	notice: {text: string; at: number} | undefined;
	quitRequested: boolean;
	verify: {ok: boolean; text: string} | undefined;
};

export type DashboardAction =
	| {type: 'tick'; now: number}
	| {type: 'engine'; event: EngineEvent; now: number}
	| {type: 'resources'; reading: ResourceReading}
	| {type: 'log'; entries: LogEntry[]}
	| {type: 'mode'; mode: RunMode; error?: string; now: number}
	| {type: 'overlay'; overlay: Overlay}
	| {type: 'notice'; text: string; now: number}
	| {type: 'quit-requested'}
	| {type: 'verify'; ok: boolean; text: string}
	| {type: 'watch'; snapshot: WatchedRun; now: number};

/** A migration seen from outside (another process, or a finished run), from its database record. */
export type WatchedRun = {
	phase: Phase;
	status: 'running' | 'aborted' | 'failed' | 'done';
	done: number;
	total: number;
	failed: number;
	/** The process holding the migration lock, if any. */
	holderPid: number | undefined;
} | undefined;

export const maxLogLines = 200;
const sparklineSeconds = 30;

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
		device: options.device ?? 'cpu',
		startedAt: undefined,
		finishedAt: undefined,
		rateSamples: [],
		throughput: [],
		throughputSecond: undefined,
		lastCommitAt: undefined,
		seen: {},
		lowMemoryFreeMb: undefined,
		runError: undefined,
		resources: undefined,
		rssBaseline: undefined,
		logLines: [],
		errorCount: 0,
		warningCount: 0,
		overlay: {kind: 'none'},
		notice: undefined,
		quitRequested: false,
		verify: undefined,
	};
}

/** Adds `delta` vectors to the current second's bucket of the sparkline, rolling seconds over. */
function addThroughput(state: DashboardState, now: number, delta: number): Pick<DashboardState, 'throughput' | 'throughputSecond'> {
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

function reduceEngine(state: DashboardState, event: EngineEvent, now: number): DashboardState {
	switch (event.name) {
		case 'run:start': {
			return {...state, mode: 'running', startedAt: state.startedAt ?? now, total: event.payload.total};
		}

		case 'run:phase:enter': {
			return {...state, phase: event.payload.phase};
		}

		case 'progress': {
			const {done, total, failed, blank, truncated, batchSize, device, phase} = event.payload;
			const delta = Math.max(0, done - state.done);
			return {
				...state,
				...addThroughput(state, now, state.startedAt === undefined ? 0 : delta),
				phase,
				done,
				total,
				failed,
				blank,
				truncated,
				batchSize,
				device,
				rateSamples: addRateSample(state.rateSamples, now, done),
				lastCommitAt: delta > 0 ? now : state.lastCommitAt,
			};
		}

		case 'batch:error': {
			return event.payload.kind === 'oom' ? {...state, seen: {...state.seen, oom: now}} : state;
		}

		case 'batch:size:change': {
			const {from, to, reason} = event.payload;
			return {...state, batchSize: to, notice: {text: `batch ${from} → ${to} (${reason})`, at: now}};
		}

		case 'device:change': {
			return {...state, device: event.payload.to, notice: {text: `device ${event.payload.from} → ${event.payload.to}`, at: now}};
		}

		case 'run:stall': {
			return {...state, seen: {...state.seen, stall: now}};
		}

		case 'db:busy': {
			return {...state, seen: {...state.seen, busy: now}};
		}

		case 'memory:low': {
			return {...state, seen: {...state.seen, lowMemory: now}, lowMemoryFreeMb: event.payload.freeMb};
		}

		case 'control:paused': {
			return {...state, mode: 'paused'};
		}

		case 'control:resumed': {
			return {...state, mode: state.mode === 'paused' ? 'running' : state.mode};
		}

		case 'run:done': {
			return {...state, mode: 'done', finishedAt: now};
		}

		case 'run:aborted': {
			return {...state, mode: 'aborted', finishedAt: now};
		}

		case 'run:error': {
			return {...state, mode: 'failed', runError: event.payload.error.message, finishedAt: now};
		}

		case 'verify:result': {
			const {ok, channels, vectors, problems} = event.payload;
			return {...state, verify: {ok, text: ok ? `${channels} channels, ${vectors} vectors verified` : problems[0] ?? 'verification failed'}};
		}

		default: {
			// Events the dashboard shows through the log tail instead (log:line, failure:record, ...).
			return state;
		}
	}
}

/** Collapses repeats of the same message into one line with a count. */
function addLogLines(state: DashboardState, entries: LogEntry[]): DashboardState {
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

export function reduce(state: DashboardState, action: DashboardAction): DashboardState {
	switch (action.type) {
		case 'tick': {
			// The clock only matters for what it changes on screen: elapsed time (whole seconds),
			// the sparkline's rolling window, and notices expiring.
			if (Math.floor(action.now / 1000) === Math.floor(state.now / 1000)) {
				return state;
			}

			const running = state.mode === 'running' || state.mode === 'paused' || state.mode === 'stopping';
			return {
				...state,
				now: action.now,
				...(running ? addThroughput(state, action.now, 0) : {}),
				notice: state.notice && action.now - state.notice.at > 8000 ? undefined : state.notice,
			};
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
			return {...state, mode: action.mode, runError: action.error ?? state.runError, startedAt: action.mode === 'starting' ? action.now : state.startedAt};
		}

		case 'overlay': {
			return {...state, overlay: action.overlay};
		}

		case 'notice': {
			return {...state, notice: {text: action.text, at: action.now}};
		}

		case 'quit-requested': {
			return {...state, quitRequested: true};
		}

		case 'verify': {
			return {...state, verify: {ok: action.ok, text: action.text}};
		}

		case 'watch': {
			return reduceWatched(state, action.snapshot, action.now);
		}
	}
}

function reduceWatched(state: DashboardState, run: WatchedRun, now: number): DashboardState {
	if (!run) {
		return state;
	}

	// A run record says "running" after a kill -9 too: only a live lock holder makes it running.
	const live = run.status === 'running' && run.holderPid !== undefined;
	const mode: RunMode = live ? 'running' : run.status === 'running' ? 'aborted' : run.status;
	if (mode === state.mode && run.phase === state.phase && run.done === state.done && run.total === state.total && run.failed === state.failed) {
		return state;
	}

	const delta = Math.max(0, run.done - state.done);
	return {
		...state,
		...(live ? addThroughput(state, now, state.rateSamples.length > 0 ? delta : 0) : {}),
		mode,
		phase: run.phase,
		done: run.done,
		total: run.total,
		failed: run.failed,
		startedAt: state.startedAt ?? (live ? now : undefined),
		rateSamples: live ? addRateSample(state.rateSamples, now, run.done) : state.rateSamples,
		lastCommitAt: delta > 0 ? now : state.lastCommitAt,
	};
}
