/**
 * Opens the dashboard in the terminal: wires a migration (started now, or by `s`), the resource
 * sampler, the log follower and the clock into the controller, renders with Ink at most 10 times
 * a second (plain lines on TERM=dumb), and resolves with the exit code when the user quits. A run
 * started here outlives the terminal: on SIGHUP or a dead stdout drawing stops and the run goes on.
 */
import {controlSocketPath} from '../engine/control/protocol.js';
import {exitCodes} from '../engine/errors.js';
import {attachToRun, type Attachment} from './attach.js';
import type {Theme} from './components/theme.js';
import type {DashboardBackend} from './backend.js';
import {DashboardController} from './controller.js';
import type {DashboardOptions} from './dashboard-options.js';
import {exitCodeFor} from './exit-code.js';
import {strings} from './i18n.js';
import {RunOwner} from './run-owner.js';
import {startSampling} from './sampling.js';
import type {Fatal} from './state-types.js';
import {DetachableOutput} from './terminal-output.js';
import {detectCapabilities} from './terminal.js';
import {inkView, plainView} from './views.js';

export type {DashboardOptions} from './dashboard-options.js';


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
	const owner = new RunOwner({controller, backend, createMigration: options.readOnly ? undefined : options.createMigration, now, finish, exitWhenDone: options.exitWhenDone, lockFile: options.problemAtOpen === undefined ? options.paths.lock : undefined});
	let attachment: Attachment | undefined;
	backend.detach = () => {
		attachment?.detach();
		finish(exitCodes.ok);
	};
	if (options.problemAtOpen !== undefined) {
		controller.dispatch({type: 'fatal', fatal: fatalOf(options.problemAtOpen)});
	}

	if (!options.startImmediately && options.problemAtOpen === undefined) {
		// A run owned by another process (another login, a detached dashboard, migrate --no-ui),
		// attached before the run record is read so the first frame already shows its own state.
		attachment = await attachToRun({socketPath: controlSocket, controller, backend, readOnly: options.readOnly, strings: theme.strings});
	}

	const sampling = startSampling({controller, options, now, skipRecord: () => owner.running || controller.getState().fatal !== undefined || controller.getState().attached});
	const view = options.env.TERM === 'dumb' ? plainView(controller, output, stdin, theme, now) : inkView(controller, output, stdin, theme, options.paths.root);
	const stopListening = listenToTerminal({controller, stdin, stdout: realStdout, onGone() {
		// The terminal went away: stop drawing, let a run started here finish on its own.
		if (!output.isDetached) {
			output.detach();
			view.detach();
			owner.terminalGone();
		}
	}});

	function finish(code: number): void {
		sampling.stop();
		stopListening();
		attachment?.detach();
		controller.dispose();
		void view.close().then(() => resolveExit(code));
	}

	if (options.startImmediately) {
		owner.start({retryFailed: false});
	}

	return exited.then(code => (code === -1 ? exitCodeFor(controller.getState(), owner.ranMigration) : code));
}


/** Ctrl+C arrives as a key in raw mode, kill -INT as a signal: both mean the same. A hang-up, a dead stdout or the end of stdin mean the terminal is gone. */
function listenToTerminal(options: {controller: DashboardController; stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; onGone: () => void}): () => void {
	const {controller, stdin, stdout, onGone} = options;
	const onInterrupt = () => controller.handlePress({kind: 'interrupt'});
	process.on('SIGINT', onInterrupt);
	// SIGTERM (a service manager stopping us) is a safe stop too; main.ts only records it.
	process.on('SIGTERM', onInterrupt);
	process.on('SIGHUP', onGone);
	stdout.on('error', onGone);
	stdin.on('end', onGone);
	return () => {
		process.off('SIGINT', onInterrupt);
		process.off('SIGTERM', onInterrupt);
		process.off('SIGHUP', onGone);
		stdin.off('end', onGone);
	};
}
