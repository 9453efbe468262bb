/** How a dashboard is opened: the workspace, the run it may start, its operations and its terminal. */
import type {Migration} from '../engine/migration/migration.js';
import type {ResourceSources} from '../engine/monitor/resources.js';
import type {WorkspacePaths} from '../engine/workspace.js';
import type {CheckOutcome, RollbackOutcome, VerifyOutcome} from './backend.js';

export type DashboardOptions = {
	paths: WorkspacePaths;
	/** Makes the migration the dashboard runs (now, or when `s` is pressed): a new one each call. */
	createMigration: (() => Migration) | undefined;
	startImmediately: boolean;
	readOnly: boolean;
	env: NodeJS.ProcessEnv;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	verify?: () => Promise<VerifyOutcome>;
	check?: () => Promise<CheckOutcome>;
	rollback?: () => Promise<RollbackOutcome>;
	/** A problem found while opening the workspace (missing directory, broken settings). */
	problemAtOpen?: unknown;
	resourceSources?: ResourceSources;
	now?: () => number;
	/** Close the dashboard when the migration ends instead of waiting for q (benchmarks). */
	exitWhenDone?: boolean;
	/** Rows already migrated and the target set's size, for the bar before any run record exists. */
	baseline?: () => Promise<{done: number; total: number} | undefined>;
};
