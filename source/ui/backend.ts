/** What a dashboard can ask of the run it shows: the seam between the dashboard and whoever owns the run. */
import type {MigrationEvents} from '../engine/migration/events.js';

/** Steering a run: a local RunControl, or a RemoteControl over the run's control channel. */
export type DashboardControl = {
	readonly paused: boolean;
	readonly batchSize: number;
	readonly tokenBudget: number;
	pause(): void;
	resume(): void;
	setBatchSize(size: number, reason?: 'user'): number;
	halveBatchSize(reason?: 'user'): number;
	switchDevice(device: 'cpu'): void;
	retryFailed(): void;
	abort(): void;
};

/** A verify finding that is not ok: its id (the dashboard names it in its language), the engine's title and its count. */
export type VerifyProblem = {id: string; title: string; count: number};
export type VerifyOutcome = {ok: boolean; model: string; problems: VerifyProblem[]};
/** A check item that is not ok: its id (the dashboard names it in its language), what it is about, and the engine's detail. */
export type CheckProblem = {id: string; title: string; subject?: string; detail: string};
/** What check found: the items that are not ok. */
export type CheckOutcome = {ok: boolean; problems: CheckProblem[]};
export type RollbackOutcome = {removedRows: number};

/** What the dashboard can ask of the migration it watches. */
export type DashboardBackend = {
	/** Starts (or resumes) a migration; `retryFailed` retries the last run's failed messages. */
	start?: (options: {retryFailed: boolean}) => void;
	control?: DashboardControl;
	/** Leaves a run another process owns (it goes on); only while attached. */
	detach?: () => void;
	events?: MigrationEvents;
	verify?: () => Promise<VerifyOutcome>;
	check?: () => Promise<CheckOutcome>;
	rollback?: () => Promise<RollbackOutcome>;
	/** Stops the run this dashboard owns (the batch in flight finishes) and resolves once it ended. */
	stopRun?: () => Promise<void>;
	/** Called when the user quits: `force` after a second q or Ctrl+C. */
	quit: (force: boolean) => void;
};
