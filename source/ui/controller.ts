/**
 * Connects a dashboard to what it shows: engine events, resource readings, the log file and the
 * clock go through the pure reducer; keys (one at a time, however they arrive) go to the overlay
 * that is open or to the keymap. Subscribers (the Ink app) are told only when the state changed.
 */
import type {LogEntry} from '../engine/log/format.js';
import {clientEventNames as forwardedEvents, type MigrationEvents} from '../engine/migration/events.js';
import type {ResourceReading} from '../engine/monitor/resources.js';
import {CommandRunner} from './commands.js';
import {decodeKeys, type InkKey, type KeyPress} from './keys.js';
import {handleOverlayKey} from './overlay-keys.js';
import {strings, type Strings} from './i18n.js';
import {initialState, reduce, type DashboardAction, type DashboardState, type EngineEvent} from './state.js';
import type {DashboardBackend} from './backend.js';

export type {DashboardBackend, DashboardControl} from './backend.js';


/**
 * Engine events and the periodic update redraw at most once a second (as btop and k9s refresh);
 * keys redraw at once. A frame costs Ink 10–30 ms of main-thread CPU on a small machine (it
 * rebuilds every cell of the screen), and the main thread also feeds the model: four frames a
 * second cost a fast migration ~10% of its throughput, one costs it ~2%.
 */
const backgroundRedrawMs = 1000;


export type ControllerOptions = {now: () => number; readOnly?: boolean; running?: boolean; batchSize?: number; strings?: Strings};

export class DashboardController {
	private state: DashboardState;
	private readonly listeners = new Set<() => void>();
	private readonly unsubscribe: Array<() => void> = [];
	private lastNotifyAt = 0;
	private pendingNotify: NodeJS.Timeout | undefined;
	private readonly commands: CommandRunner;
	readonly now: () => number;

	constructor(
		readonly backend: DashboardBackend,
		options: ControllerOptions,
	) {
		this.now = options.now;
		this.state = initialState({now: this.now(), readOnly: options.readOnly, mode: options.running ? 'starting' : 'idle', batchSize: options.batchSize});
		this.commands = new CommandRunner(this, options.strings ?? strings('en'));
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

	/** One Ink input event: every key it holds, in order (a burst like "bb" is two halvings). */
	handleKey(input: string, key: InkKey): void {
		for (const press of decodeKeys(input, key)) {
			this.handlePress(press);
		}

		this.flush();
	}

	/**
	 * A key's effect often comes back as an engine event (p → control:paused), which on its own
	 * would wait for the next coalesced redraw (up to a second): draw it now, within the key's 150 ms.
	 */
	private flush(): void {
		if (this.pendingNotify) {
			this.notify();
		}
	}

	/** Overlays take every key while open; otherwise the keymap decides. */
	handlePress(press: KeyPress): void {
		if (this.state.overlay.kind !== 'none') {
			handleOverlayKey(this.commands, this.state, press);
		} else if (press.kind === 'interrupt') {
			this.commands.interrupt();
		} else if (press.kind === 'char') {
			this.commands.key(press.char);
		}

		this.flush();
	}

	dispose(): void {
		clearTimeout(this.pendingNotify);
		for (const stop of this.unsubscribe.splice(0)) {
			stop();
		}
	}
}
