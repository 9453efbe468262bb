/**
 * Opens the dashboard in the terminal: wires a migration (started now, or by `s`), the resource
 * sampler, the log follower and the clock into the controller, renders with Ink at most 10 times
 * a second (plain lines on TERM=dumb), and resolves with the exit code when the user quits. A run
 * started here outlives the terminal: on SIGHUP or a dead stdout drawing stops and the run goes on.
 */
import {render} from 'ink';
import {controlSocketPath} from '../engine/control/protocol.js';
import {exitCodes} from '../engine/errors.js';
import {LogFollower} from '../engine/log/follow.js';
import type {Migration} from '../engine/migration/migration.js';
import {RunWatcher} from '../engine/migration/watch.js';
import {ResourceSampler, systemSources, type ResourceSources} from '../engine/monitor/resources.js';
import type {WorkspacePaths} from '../engine/workspace.js';
import {attachToRun, type Attachment} from './attach.js';
import {App} from './components/App.js';
import type {Theme} from './components/theme.js';
import {DashboardController, type DashboardBackend} from './controller.js';
import {exitCodeFor} from './exit-code.js';
import {strings} from './i18n.js';
import {plainPrinter} from './plain-output.js';
import {RunOwner} from './run-owner.js';
import type {DashboardAction, Fatal} from './state.js';
import {DetachableOutput} from './terminal-output.js';
import {detectCapabilities} from './terminal.js';

export type DashboardOptions = {
	paths: WorkspacePaths;
	/** Makes the migration the dashboard runs (now, or when `s` is pressed): a new one each call. */
	createMigration: (() => Migration) | undefined;
	startImmediately: boolean;
	readOnly: boolean;
	env: NodeJS.ProcessEnv;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	verify?: () => Promise<{ok: boolean; text: string}>;
	check?: () => Promise<{ok: boolean; text: string}>;
	rollback?: () => Promise<string>;
	/** A problem found while opening the workspace (missing directory, broken settings). */
	problemAtOpen?: unknown;
	resourceSources?: ResourceSources;
	now?: () => number;
	/** Close the dashboard when the migration ends instead of waiting for q (benchmarks). */
	exitWhenDone?: boolean;
};

/** The problem at open as the troubleshooting pane shows it: message, fix, and exit code 2. */
export function fatalOf(error: unknown): Fatal {
	const {message, hint, exitCode} = error as {message?: string; hint?: string; exitCode?: number};
	return {message: message ?? String(error), hint, exitCode: exitCode ?? exitCodes.config};
}

export async function runDashboard(options: DashboardOptions): Promise<number> {
	const now = options.now ?? Date.now;
	const capabilities = detectCapabilities(options.env);
	const theme: Theme = {...capabilities, strings: strings(capabilities.language)};
	const realStdout = options.stdout ?? process.stdout;
	const stdin = options.stdin ?? process.stdin;
	const output = new DetachableOutput(realStdout);
	let resolveExit: (code: number) => void = () => undefined;
	const exited = new Promise<number>(resolve => {
		resolveExit = resolve;
	});
	const backend: DashboardBackend = {verify: options.verify, check: options.check, rollback: options.rollback, quit: force => owner.quit(force)};
	const controller = new DashboardController(backend, {now, readOnly: options.readOnly, running: options.startImmediately, strings: theme.strings});
	const controlSocket = controlSocketPath(options.paths.lock);
	const owner = new RunOwner({controller, backend, createMigration: options.readOnly ? undefined : options.createMigration, now, finish, exitWhenDone: options.exitWhenDone, controlSocket: options.problemAtOpen === undefined ? controlSocket : undefined});
	let attachment: Attachment | undefined;
	backend.detach = () => {
		attachment?.detach();
		finish(exitCodes.ok);
	};
	if (options.problemAtOpen !== undefined) {
		controller.dispatch({type: 'fatal', fatal: fatalOf(options.problemAtOpen)});
	}

	const follower = new LogFollower(options.paths.logs);
	const sampler = new ResourceSampler(options.resourceSources ?? systemSources(options.paths.root));
	// Until this dashboard runs a migration itself, the database record shows what is going on
	// (a finished run, or one running in another process).
	const watcher = new RunWatcher(options.paths);
	const watchAction = (): DashboardAction[] => {
		if (owner.running || controller.getState().fatal || controller.getState().attached) {
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
	const view = options.env.TERM === 'dumb' ? plainView(controller, output, stdin, theme, now) : inkView(controller, output, stdin, theme, options.paths.root);

	// Ctrl+C arrives as a key in raw mode; kill -INT arrives as a signal: both mean the same.
	const onInterrupt = () => controller.handlePress({kind: 'interrupt'});
	// The terminal went away: stop drawing, let a run started here finish on its own.
	const onHangup = () => {
		if (!output.isDetached) {
			output.detach();
			view.detach();
			owner.terminalGone();
		}
	};

	process.on('SIGINT', onInterrupt);
	process.on('SIGHUP', onHangup);
	realStdout.on('error', onHangup);
	stdin.on('end', onHangup);

	function finish(code: number): void {
		for (const timer of timers) {
			clearInterval(timer);
		}

		process.off('SIGINT', onInterrupt);
		process.off('SIGHUP', onHangup);
		stdin.off('end', onHangup);
		attachment?.detach();
		controller.dispose();
		watcher.close();
		void view.close().then(() => resolveExit(code));
	}

	if (options.startImmediately) {
		owner.start({retryFailed: false});
	} else if (options.problemAtOpen === undefined) {
		// A run owned by another process (another login, a detached dashboard, migrate --no-ui).
		attachment = await attachToRun({socketPath: controlSocket, controller, backend, readOnly: options.readOnly, strings: theme.strings});
	}

	return exited.then(code => (code === -1 ? exitCodeFor(controller.getState(), owner.ranMigration) : code));
}

type View = {detach: () => void; close: () => Promise<void>};

function inkView(controller: DashboardController, output: DetachableOutput, stdin: NodeJS.ReadStream, theme: Theme, workspace: string): View {
	let closing = false;
	const instance = render(<App controller={controller} theme={theme} workspace={workspace} closing={() => closing} />, {
		stdout: output as unknown as NodeJS.WriteStream,
		stdin,
		maxFps: 10,
		exitOnCtrlC: false,
		patchConsole: true,
	});
	const unmount = () => {
		try {
			instance.unmount();
		} catch {
			// Raw mode cannot be reset on a terminal that is gone.
		}
	};

	return {
		detach: unmount,
		async close() {
			// The last frame is cleared: render an empty frame, then unmount (Ink draws the final one).
			closing = true;
			controller.dispatch({type: 'overlay', overlay: {kind: 'none'}});
			instance.rerender(<App controller={controller} theme={theme} workspace={workspace} closing={() => closing} />);
			await new Promise(resolve => setTimeout(resolve, 30));
			unmount();
			await instance.waitUntilExit().catch(() => undefined);
		},
	};
}

function plainView(controller: DashboardController, output: DetachableOutput, stdin: NodeJS.ReadStream, theme: Theme, now: () => number): View {
	const print = plainPrinter(line => output.write(line), theme.strings, theme.unicode, now);
	const unsubscribe = controller.subscribe(() => print(controller.getState()));
	print(controller.getState());
	const onData = (data: Buffer) => controller.handleKey(data.toString('utf8'), {});
	if (stdin.isTTY) {
		stdin.setRawMode(true);
	}

	stdin.on('data', onData);
	const stop = () => {
		unsubscribe();
		stdin.off('data', onData);
		try {
			if (stdin.isTTY) {
				stdin.setRawMode(false);
			}
		} catch {
			// The terminal is gone.
		}

		stdin.pause();
	};

	return {
		detach: stop,
		async close() {
			print(controller.getState());
			stop();
			return Promise.resolve();
		},
	};
}
