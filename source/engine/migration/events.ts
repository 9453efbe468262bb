/**
 * The engine's one event map. Every client (dashboard, headless CLI, tests) listens here; names
 * follow `scope:noun:verb`. Listeners run through a safe emitter, so a failing listener can never
 * break a migration.
 */
import type {DownloadProgress} from '../embed/download.js';
import type {LogEntry} from '../log/format.js';
import type {BatchSizeReason, Device, DeviceChangeReason, Phase, StrategyName} from '../types.js';

export type {Phase} from '../types.js';

export type BatchErrorKind = 'oom' | 'model' | 'busy' | 'other';

export type ProgressSnapshot = {
	phase: Phase;
	/** Target messages that now have a new-model vector (this run and earlier attempts). */
	done: number;
	/** Size of the target set (grows when the bot adds messages meanwhile). */
	total: number;
	failed: number;
	blank: number;
	truncated: number;
	batchSize: number;
	device: Device;
};

/**
 * One embedding endpoint as the dashboard shows it. `state`: up (takes work), out (taken out of
 * rotation until its cooldown ends) or removed (for the rest of the run); `retrying`: up, but
 * waiting out a Retry-After, failing, or proving itself after a cooldown. `texts` counts up, so a
 * client derives the rate from two readings.
 */
export type EndpointFigures = {
	url: string;
	state: 'up' | 'out' | 'removed';
	retrying: boolean;
	inFlight: number;
	slots: number;
	texts: number;
	errors: number;
	latencyMs?: number | undefined;
};

export type MigrationEventMap = {
	/** A run started or resumed; `resumed` is true when an earlier attempt left a checkpoint. */
	'run:start': {runId: string; source: string; target: string; strategy: StrategyName; resumed: boolean; total: number};
	/** The run entered a phase. */
	'run:phase:enter': {phase: Phase};
	/** The run finished all phases. */
	'run:done': {runId: string; succeeded: number; failed: number; total: number; seconds: number};
	/** The run stopped on request (abort, SIGINT): everything committed is kept, `migrate` resumes. */
	'run:aborted': {runId: string; phase: Phase; done: number; total: number};
	/** A phase threw: the run stops; the error says why and how to fix it (the process exits non-zero). */
	'run:error': {error: Error; phase: Phase};
	/** After `run:done`: the run log could not be written after the cut-over; `message` says what it means and what to do. */
	'run:log-incomplete': {message: string};
	/** A batch was handed to the model (the dashboard applies a pending batch-size change here). */
	'batch:start': {size: number; firstRowid: number};
	/** A batch's vectors and its checkpoint were committed in one transaction. */
	'batch:commit:done': {size: number; ms: number; inferenceMs: number};
	/** A batch failed; the engine is handling it (halving, bisecting, retrying). */
	'batch:error': {kind: BatchErrorKind; message: string; offset: number; size: number};
	/** The batch size changed (user command, out of memory, low RAM). */
	'batch:size:change': {from: number; to: number; reason: BatchSizeReason};
	/** Counters after each commit, and on phase changes. */
	progress: ProgressSnapshot;
	/** A message was isolated as failing and recorded in the failures table. */
	'failure:record': {messageId: string; channelId: string; error: string};
	/** The model moved to another device. */
	'device:change': {from: Device; to: Device; reason: DeviceChangeReason};
	/** No batch committed for 5× the median batch time. */
	'run:stall': {idleMs: number; medianBatchMs: number};
	/** The database stayed locked by another process; the engine waits and retries. */
	'db:busy': {attempt: number; waitMs: number; message: string};
	/** Free RAM fell below memory_threshold_mb. */
	'memory:low': {freeMb: number; thresholdMb: number};
	'control:paused': Record<string, never>;
	'control:resumed': Record<string, never>;
	/** A channel's staged index was written (the dashboard counts channels done of total). */
	'index:channel:done': {channelId: string; vectors: number; built: number; channels: number};
	/** The verify phase's findings. */
	'verify:result': {ok: boolean; channels: number; vectors: number; problems: string[]};
	/** An embedding endpoint changed state (taken out, back, removed, its batch halved, rate-limited); `message` is the log line. */
	'endpoint:change': {type: 'endpoint:out' | 'endpoint:back' | 'endpoint:removed' | 'endpoint:batch:halve' | 'endpoint:rate-limited'; endpoint: string; level: 'INFO' | 'WARNING' | 'ERROR'; message: string};
	/** Every embedding endpoint's figures, once a second and on each change (the dashboard's endpoint rows); remote runs only. */
	'endpoint:stats': {endpoints: EndpointFigures[]};
	/** pad / truncate / transform: how well the derived vectors retrieve like the new model's; the run log records it. */
	'strategy:quality': {strategy: StrategyName; sampleSize: number; heldOut: number; meanCosine: number; recallAtK: number};
	/** A line was written to the migration log. */
	'log:line': LogEntry;
	/** The target model's missing files are being downloaded before the load (bytes never go back; `done` on the last). */
	'model:download:progress': DownloadProgress;
};

export type MigrationEventName = keyof MigrationEventMap;
type Listener<Name extends MigrationEventName> = (payload: MigrationEventMap[Name]) => void;

export class MigrationEvents {
	private readonly listeners = new Map<MigrationEventName, Set<Listener<never>>>();

	on<Name extends MigrationEventName>(name: Name, listener: Listener<Name>): () => void {
		const set = this.listeners.get(name) ?? new Set();
		set.add(listener);
		this.listeners.set(name, set);
		return () => set.delete(listener);
	}

	/** Calls every listener; an exception in one is reported to stderr once and otherwise ignored. */
	emit<Name extends MigrationEventName>(name: Name, payload: MigrationEventMap[Name]): void {
		for (const listener of this.listeners.get(name) ?? []) {
			try {
				(listener as Listener<Name>)(payload);
			} catch (error) {
				this.reportListenerError(name, error);
			}
		}
	}

	private reported = false;

	private reportListenerError(name: string, error: unknown): void {
		if (!this.reported) {
			this.reported = true;
			process.stderr.write(`qwen3-migrate: a listener of ${name} failed (ignored): ${String(error)}\n`);
		}
	}
}

/**
 * The events a client draws a run from: the dashboard of the process that owns the run listens to
 * them, and the control channel forwards them to attached dashboards.
 */
export const clientEventNames: MigrationEventName[] = [
	'run:start',
	'run:phase:enter',
	'run:done',
	'run:aborted',
	'run:error',
	'run:log-incomplete',
	'progress',
	'batch:start',
	'batch:commit:done',
	'batch:error',
	'batch:size:change',
	'device:change',
	'index:channel:done',
	'run:stall',
	'db:busy',
	'memory:low',
	'control:paused',
	'control:resumed',
	'verify:result',
	'endpoint:change',
	'model:download:progress',
	'endpoint:stats',
];
