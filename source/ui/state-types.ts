/** The dashboard state's types, apart from the reducer so its helpers can share them without an import cycle. */
import type {ProblemId} from '../engine/diagnosis/catalogue.js';
import type {DownloadProgress} from '../engine/embed/download.js';
import type {LogEntry} from '../engine/log/format.js';
import type {MigrationEventMap, MigrationEventName, Phase} from '../engine/migration/events.js';
import type {ResourceReading} from '../engine/monitor/resources.js';
import type {RunSnapshot} from '../engine/control/protocol.js';
import type {RateSample} from '../engine/util/rate.js';
import type {Device} from '../engine/types.js';
import type {EndpointRow} from './endpoint-rows.js';

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
	device: Device;
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
	/** The finished run's log could not be written after the cut-over (the engine's warning): exit 1. */
	logIncomplete: string | undefined;
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
	/** The target model's download before the run starts; undefined when none is under way. */
	download?: DownloadProgress;
	/** One row per embedding endpoint (remote runs; empty for the local model). */
	endpoints: EndpointRow[];
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
