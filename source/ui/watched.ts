/** A migration seen from outside (another process, or a finished run), from its database record. */
import type {RunSnapshot} from '../engine/control/protocol.js';
import {addRateSample} from '../engine/util/rate.js';
import {addThroughput} from './metrics.js';
import type {DashboardState, RunMode, WatchedRun} from './state-types.js';


export function reduceWatched(state: DashboardState, run: WatchedRun, now: number): DashboardState {
	if (!run) {
		return state;
	}

	// A run record says "running" after a kill -9 too: only a live lock holder makes it running.
	const live = run.status === 'running' && run.holderPid !== undefined;
	const runnerDied = run.status === 'running' && !live;
	const mode: RunMode = live ? 'running' : runnerDied ? 'aborted' : run.status;
	if (mode === state.mode && run.phase === state.phase && run.done === state.done && run.total === state.total && run.failed === state.failed) {
		return state;
	}

	// Another process's commits are seen only as its record's count; the window restarts when
	// that process starts or stops, so an earlier run's count never counts as speed.
	const delta = state.mode === mode ? Math.max(0, run.done - state.done) : 0;
	const rateSamples = live ? (state.mode === 'running' ? addRateSample(state.rateSamples, now, run.done) : [{time: now, count: run.done}]) : [];
	return {
		...state,
		...(live ? addThroughput(state, now, delta) : {}),
		mode,
		phase: run.phase,
		done: run.done,
		total: run.total,
		failed: run.failed,
		startedAt: state.startedAt ?? (live ? now : undefined),
		rateSamples,
		lastCommitAt: delta > 0 ? now : state.lastCommitAt,
		// Say why it stopped: its process died (killed, machine restarted); s resumes from the checkpoint.
		runnerGone: runnerDied,
	};
}

/** A live run's own snapshot, over its control channel: its pause, batch size, elapsed and RSS. */
export function reduceAttached(state: DashboardState, snapshot: RunSnapshot): DashboardState {
	// The end of the run comes as an event; a snapshot sent just before must not revive it.
	const ended = state.mode === 'done' || state.mode === 'failed' || state.mode === 'aborted';
	const mode: RunMode = ended ? state.mode : snapshot.aborting ? 'stopping' : snapshot.paused ? 'paused' : 'running';
	return {
		...state,
		attached: true,
		mode,
		phase: snapshot.phase ?? state.phase,
		batchSize: state.pendingBatch ? state.batchSize : snapshot.batchSize,
		device: snapshot.device,
		startedAt: snapshot.startedAt ?? state.startedAt,
		channels: snapshot.channels ?? state.channels,
		ownerRss: {bytes: snapshot.rssBytes, baseline: state.ownerRss?.baseline ?? snapshot.rssBytes},
	};
}
