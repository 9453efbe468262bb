/**
 * Connects a dashboard to what it shows: engine events, resource readings, the log file and the
 * clock go through the pure reducer; keys become engine commands. Subscribers (the Ink app) are
 * told only when the state object actually changed.
 */
import type {LogEntry} from '../engine/log/format.js';
import type {RunControl} from '../engine/migration/control.js';
import type {MigrationEvents, MigrationEventName} from '../engine/migration/events.js';
import type {ResourceReading} from '../engine/monitor/resources.js';
import {commandForKey, stepBatchSize, type DashboardCommand} from './keymap.js';
import {initialState, reduce, type DashboardAction, type DashboardState, type EngineEvent} from './state.js';

/** What the dashboard can ask of the migration it watches. */
export type DashboardBackend = {
	/** Starts a migration when idle; resolves when it has finished (any outcome). */
	start?: () => void;
	control?: RunControl;
	events?: MigrationEvents;
	verify?: () => Promise<{ok: boolean; text: string}>;
	check?: () => Promise<{ok: boolean; text: string}>;
	rollback?: () => Promise<string>;
	/** Called when the user quits: `force` after a second q or Ctrl+C. */
	quit: (force: boolean) => void;
};

/**
 * Engine events and the periodic update redraw at most once a second (as btop and k9s refresh);
 * keys redraw at once. A frame costs Ink 10–30 ms of main-thread CPU on a small machine (it
 * rebuilds every cell of the screen), and the main thread also feeds the model: four frames a
 * second cost a fast migration ~10% of its throughput, one costs it ~2%.
 */
const backgroundRedrawMs = 1000;

const forwardedEvents: MigrationEventName[] = [
	'run:start',
	'run:phase:enter',
	'run:done',
	'run:aborted',
	'run:error',
	'progress',
	'batch:error',
	'batch:size:change',
	'device:change',
	'run:stall',
	'db:busy',
	'memory:low',
	'control:paused',
	'control:resumed',
	'verify:result',
];

export class DashboardController {
	private state: DashboardState;
	private readonly listeners = new Set<() => void>();
	private readonly unsubscribe: Array<() => void> = [];
	private lastNotifyAt = 0;
	private pendingNotify: NodeJS.Timeout | undefined;

	constructor(
		private readonly backend: DashboardBackend,
		options: {now: () => number; readOnly?: boolean; running?: boolean; batchSize?: number},
		private readonly now = options.now,
	) {
		this.state = initialState({now: now(), readOnly: options.readOnly, mode: options.running ? 'starting' : 'idle', batchSize: options.batchSize});
		this.attach(backend.events);
	}

	/** Subscribes to a migration's events (again when a new run starts from the dashboard). */
	attach(events: MigrationEvents | undefined): void {
		if (!events) {
			return;
		}

		for (const name of forwardedEvents) {
			this.unsubscribe.push(events.on(name, payload => this.dispatchInBackground({type: 'engine', event: {name, payload} as EngineEvent, now: this.now()})));
		}
	}

	/**
	 * Engine events (they can come hundreds of times a second) and the periodic clock, resources and
	 * log update: the state follows each one, but the screen is told at most every
	 * `backgroundRedrawMs` (React renders on every notification, and Ink's own frame limit only
	 * throttles the writing, not the rendering). Keys use `dispatch` and redraw at once.
	 */
	dispatchInBackground(...actions: DashboardAction[]): void {
		const next = actions.reduce(reduce, this.state);
		if (next === this.state) {
			return;
		}

		this.state = next;
		const wait = this.lastNotifyAt + backgroundRedrawMs - Date.now();
		if (wait <= 0) {
			this.notify();
		} else {
			this.pendingNotify ??= setTimeout(() => this.notify(), wait);
		}
	}

	private notify(): void {
		clearTimeout(this.pendingNotify);
		this.pendingNotify = undefined;
		this.lastNotifyAt = Date.now();
		for (const listener of this.listeners) {
			listener();
		}
	}

	getState = (): DashboardState => this.state;

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	/** Applies actions and redraws at once (keys, start-up). */
	dispatch(...actions: DashboardAction[]): void {
		// Several actions, one notification: one redraw, not several.
		const next = actions.reduce(reduce, this.state);
		if (next !== this.state) {
			this.state = next;
			this.notify();
		}
	}

	tick(): void {
		this.dispatch({type: 'tick', now: this.now()});
	}

	addResources(reading: ResourceReading): void {
		this.dispatch({type: 'resources', reading});
	}

	addLogEntries(entries: LogEntry[]): void {
		if (entries.length > 0) {
			this.dispatch({type: 'log', entries});
		}
	}

	/** A key press: overlays first (a confirmation takes every key), then the keymap. */
	handleKey(input: string, key: {escape?: boolean; return?: boolean; ctrl?: boolean; backspace?: boolean; delete?: boolean}): void {
		const {overlay} = this.state;
		if (key.ctrl && input === 'c') {
			this.backend.quit(true);
			return;
		}

		if (overlay.kind === 'confirm-rollback') {
			this.handleRollbackTyping(input, key, overlay.typed);
			return;
		}

		if (overlay.kind === 'confirm-quit') {
			this.dispatch({type: 'overlay', overlay: {kind: 'none'}});
			if (input === 'y' || input === 'Y') {
				this.quit();
			}

			return;
		}

		if (overlay.kind === 'help' && (key.escape || input === '?')) {
			this.dispatch({type: 'overlay', overlay: {kind: 'none'}});
			return;
		}

		const command = commandForKey(input, this.state.readOnly);
		if (command) {
			this.run(command);
		}
	}

	private handleRollbackTyping(input: string, key: {escape?: boolean; return?: boolean; backspace?: boolean; delete?: boolean}, typed: string): void {
		if (key.escape) {
			this.dispatch({type: 'overlay', overlay: {kind: 'none'}});
			return;
		}

		if (key.return) {
			// Enter alone (or with anything but the word) cancels: never a rollback by accident.
			this.dispatch({type: 'overlay', overlay: {kind: 'none'}});
			if (typed === 'rollback') {
				void this.runRollback();
			}

			return;
		}

		const next = key.backspace || key.delete ? typed.slice(0, -1) : `${typed}${input}`.slice(0, 20);
		this.dispatch({type: 'overlay', overlay: {kind: 'confirm-rollback', typed: next}});
	}

	private notice(text: string): void {
		this.dispatch({type: 'notice', text, now: this.now()});
	}

	run(command: DashboardCommand): void {
		const {control} = this.backend;
		const running = this.state.mode === 'running' || this.state.mode === 'paused' || this.state.mode === 'starting';
		switch (command) {
			case 'help': {
				this.dispatch({type: 'overlay', overlay: {kind: 'help'}});
				break;
			}

			case 'quit': {
				if (this.state.quitRequested) {
					this.backend.quit(true);
				} else if (this.state.phase === 'cutover' && running) {
					this.dispatch({type: 'overlay', overlay: {kind: 'confirm-quit'}});
				} else {
					this.quit();
				}

				break;
			}

			case 'start': {
				// Also resumes a run that was stopped or failed (the engine picks up its checkpoint).
				const startable = this.state.mode === 'idle' || this.state.mode === 'aborted' || this.state.mode === 'failed';
				if (startable && this.backend.start) {
					this.dispatch({type: 'mode', mode: 'starting', now: this.now()});
					this.backend.start();
				}

				break;
			}

			case 'toggle-pause': {
				if (control && running) {
					if (control.paused) {
						control.resume();
					} else {
						control.pause();
					}
				}

				break;
			}

			case 'retry-failed': {
				if (control && running) {
					control.retryFailed();
					this.notice('failed messages will be retried');
				}

				break;
			}

			case 'halve-batch': {
				control?.halveBatchSize('user');
				break;
			}

			case 'increase-batch':
			case 'decrease-batch': {
				if (control) {
					control.setBatchSize(stepBatchSize(control.batchSize, command === 'increase-batch' ? 1 : -1), 'user');
				}

				break;
			}

			case 'switch-cpu': {
				if (control && this.state.device !== 'cpu') {
					control.switchDevice('cpu');
					this.notice('switching to CPU after the batch in flight');
				} else {
					this.notice('already on CPU');
				}

				break;
			}

			case 'verify': {
				void this.runReport(this.backend.verify, 'verifying...');
				break;
			}

			case 'check': {
				void this.runReport(this.backend.check, 'checking...');
				break;
			}

			case 'rollback': {
				if (this.backend.rollback) {
					this.dispatch({type: 'overlay', overlay: {kind: 'confirm-rollback', typed: ''}});
				}

				break;
			}
		}
	}

	private quit(): void {
		this.dispatch({type: 'quit-requested'});
		this.backend.quit(false);
	}

	/** Runs verify or check and shows its one-line summary. */
	private async runReport(report: (() => Promise<{ok: boolean; text: string}>) | undefined, working: string): Promise<void> {
		if (!report) {
			return;
		}

		this.notice(working);
		try {
			const result = await report();
			this.dispatch({type: 'verify', ...result});
			this.notice(`${result.ok ? 'OK' : 'FAIL'}: ${result.text}`);
		} catch (error) {
			this.dispatch({type: 'verify', ok: false, text: (error as Error).message});
			this.notice(`FAIL: ${(error as Error).message}`);
		}
	}

	private async runRollback(): Promise<void> {
		if (!this.backend.rollback) {
			return;
		}

		this.dispatch({type: 'overlay', overlay: {kind: 'busy', message: 'rolling back...'}});
		try {
			const text = await this.backend.rollback();
			this.notice(text);
			this.dispatch({type: 'mode', mode: 'idle', now: this.now()});
		} catch (error) {
			this.notice(`rollback failed: ${(error as Error).message}`);
		} finally {
			this.dispatch({type: 'overlay', overlay: {kind: 'none'}});
		}
	}

	dispose(): void {
		clearTimeout(this.pendingNotify);
		for (const stop of this.unsubscribe.splice(0)) {
			stop();
		}
	}
}
