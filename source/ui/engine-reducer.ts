/** How each engine event changes the dashboard state (part of the pure reducer in state.ts). */
import {addRateSample} from '../engine/util/rate.js';
import {reduceEndpointStats} from './endpoint-rows.js';
import {addThroughput} from './metrics.js';
import {resolveTroubles} from './trouble-history.js';
import type {DashboardState, EngineEvent} from './state-types.js';

/** A rate window restarts (pause, resume, a new run): the old samples describe another speed. */
const restartRate = (state: DashboardState, now: number): DashboardState => ({...state, rateSamples: [{time: now, count: state.runCommitted}]});

function reduceCommit(state: DashboardState, size: number, now: number): DashboardState {
	const runCommitted = state.runCommitted + size;
	return resolveTroubles(
		{
			...state,
			...addThroughput(state, now, size),
			runCommitted,
			rateSamples: addRateSample(state.rateSamples, now, runCommitted),
			lastCommitAt: now,
		},
		now,
	);
}

/** A user's batch change shows as pending until the engine sends a batch planned with it. */
function reduceBatchStart(state: DashboardState, size: number): DashboardState {
	const pending = state.pendingBatch;
	if (!pending) {
		return state;
	}

	const applied = pending.to < pending.from ? size <= pending.to : size > pending.from;
	return applied ? {...state, pendingBatch: undefined, batchSize: pending.to} : state;
}

function reduceProgress(state: DashboardState, event: Extract<EngineEvent, {name: 'progress'}>): DashboardState {
	const {done, total, failed, blank, truncated, batchSize, device, phase} = event.payload;
	return {
		...state,
		phase,
		done,
		total,
		failed,
		blank,
		truncated,
		// A pending user change keeps showing the size still in use until a batch applies it.
		batchSize: state.pendingBatch ? state.batchSize : batchSize,
		device,
	};
}

/** Events about the run as a whole: start, phases, pause, the end. Undefined for other events. */
function reduceRunEvent(state: DashboardState, event: EngineEvent, now: number): DashboardState | undefined {
	switch (event.name) {
		case 'run:start': {
			return restartRate({...state, mode: 'running', startedAt: state.startedAt ?? now, total: event.payload.total}, now);
		}

		case 'run:phase:enter': {
			// Each round of indexing counts its channels afresh.
			const {phase} = event.payload;
			return {...state, phase, channels: phase === 'index' ? undefined : state.channels};
		}

		case 'control:paused': {
			return restartRate({...state, mode: state.mode === 'running' ? 'paused' : state.mode}, now);
		}

		case 'control:resumed': {
			return restartRate({...state, mode: state.mode === 'paused' ? 'running' : state.mode}, now);
		}

		case 'run:done': {
			return {...state, mode: 'done', finishedAt: now, pendingBatch: undefined};
		}

		case 'run:aborted': {
			return {...state, mode: 'aborted', finishedAt: now, pendingBatch: undefined};
		}

		case 'run:error': {
			const {error} = event.payload;
			const exitCode = (error as {exitCode?: unknown}).exitCode;
			return {...state, mode: 'failed', runError: error.message, runErrorExitCode: typeof exitCode === 'number' ? exitCode : undefined, finishedAt: now, pendingBatch: undefined};
		}

		case 'run:log-incomplete': {
			return {...state, logIncomplete: event.payload.message, notice: {text: event.payload.message, at: now}};
		}

		case 'verify:result': {
			const {ok, channels, vectors, problems} = event.payload;
			return {...state, verify: {ok, text: ok ? `${channels} channels, ${vectors} vectors verified` : problems[0] ?? 'verification failed'}};
		}

		default: {
			return undefined;
		}
	}
}

/** Events about batches, devices and trouble. */
function reduceWorkEvent(state: DashboardState, event: EngineEvent, now: number): DashboardState {
	switch (event.name) {
		case 'progress': {
			return reduceProgress(state, event);
		}

		case 'batch:start': {
			return reduceBatchStart(state, event.payload.size);
		}

		case 'batch:commit:done': {
			return reduceCommit(state, event.payload.size, now);
		}

		case 'batch:error': {
			return event.payload.kind === 'oom' ? {...state, seen: {...state.seen, oom: now}} : state;
		}

		case 'batch:size:change': {
			const {from, to, reason} = event.payload;
			if (reason === 'user') {
				return {...state, pendingBatch: {from: state.pendingBatch?.from ?? from, to}};
			}

			return {...state, batchSize: to, pendingBatch: undefined, notice: {text: `${from} → ${to} (${reason})`, at: now, label: 'batch'}};
		}

		case 'device:change': {
			return {...state, device: event.payload.to, notice: {text: `${event.payload.from} → ${event.payload.to}`, at: now, label: 'device'}};
		}

		case 'index:channel:done': {
			return {...state, channels: {built: event.payload.built, total: event.payload.channels}};
		}

		case 'run:stall': {
			return {...state, seen: {...state.seen, stall: now}};
		}

		case 'db:busy': {
			return {...state, seen: {...state.seen, busy: now}};
		}

		case 'endpoint:change': {
			// The endpoint's log line, in the status line: which server was taken out or came back.
			return {...state, notice: {text: event.payload.message, at: now}};
		}

		case 'model:download:progress': {
			// The download row shows until the last file is in place.
			return {...state, download: event.payload.done ? undefined : event.payload};
		}

		case 'endpoint:stats': {
			return {...state, endpoints: reduceEndpointStats(state.endpoints, event.payload.endpoints, now)};
		}

		case 'memory:low': {
			return {...state, seen: {...state.seen, lowMemory: now}, lowMemoryFreeMb: event.payload.freeMb};
		}

		default: {
			// Events the dashboard shows through the log tail instead (log:line, failure:record, ...).
			return state;
		}
	}
}

export function reduceEngine(state: DashboardState, event: EngineEvent, now: number): DashboardState {
	return reduceRunEvent(state, event, now) ?? reduceWorkEvent(state, event, now);
}
