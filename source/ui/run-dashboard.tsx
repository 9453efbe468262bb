/**
 * Opens the dashboard in the terminal: wires a migration (started now, or by `s` when idle), the
 * resource sampler, the log follower and the clock into the controller, renders with Ink at most
 * 10 times a second, and resolves with the exit code when the user quits.
 */
import {render} from 'ink';
import {exitCodes} from '../engine/errors.js';
import {LogFollower} from '../engine/log/follow.js';
import type {Migration, MigrationOutcome} from '../engine/migration/migration.js';
import {RunWatcher} from '../engine/migration/watch.js';
import {ResourceSampler, systemSources, type ResourceSources} from '../engine/monitor/resources.js';
import type {WorkspacePaths} from '../engine/workspace.js';
import {App} from './components/App.js';
import type {Theme} from './components/theme.js';
import {DashboardController, type DashboardBackend} from './controller.js';
import type {DashboardAction} from './state.js';
import {strings} from './i18n.js';
import {detectCapabilities} from './terminal.js';

export type DashboardOptions = {
	paths: WorkspacePaths;
	/** Makes the migration the dashboard runs (now, or when `s` is pressed). */
	createMigration: (() => Migration) | undefined;
	startImmediately: boolean;
	readOnly: boolean;
	env: NodeJS.ProcessEnv;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	verify?: () => Promise<{ok: boolean; text: string}>;
	check?: () => Promise<{ok: boolean; text: string}>;
	rollback?: () => Promise<string>;
	resourceSources?: ResourceSources;
	now?: () => number;
	/** Close the dashboard when the migration ends instead of waiting for q (benchmarks). */
	exitWhenDone?: boolean;
};

function exitCodeOf(outcome: MigrationOutcome | undefined, failed: boolean): number {
	if (failed) {
		return exitCodes.problems;
	}

	if (outcome?.status === 'aborted') {
		return exitCodes.aborted;
	}

	return outcome?.status === 'done' && outcome.failed > 0 ? exitCodes.problems : exitCodes.ok;
}

export async function runDashboard(options: DashboardOptions): Promise<number> {
	const now = options.now ?? Date.now;
	const capabilities = detectCapabilities(options.env);
	const theme: Theme = {...capabilities, strings: strings(capabilities.language)};
	let migration: Migration | undefined;
	let runPromise: Promise<void> | undefined;
	let outcome: MigrationOutcome | undefined;
	let failed = false;
	let resolveExit: (code: number) => void = () => undefined;
	const exited = new Promise<number>(resolve => {
		resolveExit = resolve;
	});

	const backend: DashboardBackend = {
		verify: options.verify,
		check: options.check,
		rollback: options.rollback,
		quit(force) {
			if (force || !migration || !runPromise) {
				finish(force ? exitCodes.aborted : exitCodeOf(outcome, failed));
				return;
			}

			migration.control.abort();
			void runPromise.then(() => finish(exitCodeOf(outcome, failed)));
		},
	};

	const controller = new DashboardController(backend, {now, readOnly: options.readOnly, running: options.startImmediately, batchSize: undefined});
	const start = () => {
		if (!options.createMigration || migration) {
			return;
		}

		migration = options.createMigration();
		backend.control = migration.control;
		controller.attach(migration.events);
		runPromise = migration.run().then(
			result => {
				outcome = result;
				if (result.status === 'noop') {
					controller.dispatch({type: 'notice', text: result.message, now: now()});
					controller.dispatch({type: 'mode', mode: 'done', now: now()});
				}
			},
			(error: unknown) => {
				failed = true;
				controller.dispatch({type: 'mode', mode: 'failed', error: (error as Error).message, now: now()});
			},
		);
		if (options.exitWhenDone) {
			void runPromise.then(() => finish(exitCodeOf(outcome, failed)));
		}
	};

	backend.start = options.readOnly ? undefined : start;
	const follower = new LogFollower(options.paths.logs);
	const sampler = new ResourceSampler(options.resourceSources ?? systemSources(options.paths.root));
	// Until this dashboard runs a migration itself, the database record shows what is going on
	// (a finished run, or one running in another process).
	const watcher = new RunWatcher(options.paths);
	const watchAction = (): DashboardAction[] => {
		if (migration) {
			return [];
		}

		const {run, failed, holderPid} = watcher.snapshot();
		return [{type: 'watch', snapshot: run && {phase: run.phase, status: run.status, done: run.target_done, total: run.target_total, failed, holderPid}, now: now()}];
	};

	// Once a second: the clock, the resources, the log and the run record, in one update (one
	// redraw). While nothing runs (paused, idle, finished) every third second is enough: a frame
	// costs Ink ~10 ms of CPU here, and a paused dashboard should cost well under 3% of a core.
	let seconds = 0;
	const everySecond = () => {
		const {mode} = controller.getState();
		const active = mode === 'running' || mode === 'starting' || mode === 'stopping';
		if (!active && seconds++ % 3 !== 0) {
			return;
		}

		const entries = follower.poll().entries;
		controller.dispatchInBackground({type: 'tick', now: now()}, {type: 'resources', reading: sampler.sample()}, ...(entries.length > 0 ? [{type: 'log' as const, entries}] : []), ...watchAction());
	};

	const timers = [setInterval(everySecond, 1000)];
	if (!options.startImmediately) {
		controller.dispatch(...watchAction());
	}
	controller.addResources(sampler.sample());
	controller.addLogEntries(follower.poll().entries);

	const instance = render(<App controller={controller} theme={theme} workspace={options.paths.root} />, {
		stdout: options.stdout ?? process.stdout,
		stdin: options.stdin ?? process.stdin,
		maxFps: 10,
		exitOnCtrlC: false,
		patchConsole: true,
	});

	function finish(code: number): void {
		for (const timer of timers) {
			clearInterval(timer);
		}

		controller.dispose();
		watcher.close();
		instance.unmount();
		resolveExit(code);
	}

	if (options.startImmediately) {
		start();
	}

	const code = await exited;
	await instance.waitUntilExit().catch(() => undefined);
	return code;
}
