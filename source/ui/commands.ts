/**
 * What each key does to the run. A key that cannot act now says why on the status line, and every
 * key answers at once: with its effect, or with "pending" for a batch change that the engine
 * applies at its next batch.
 */
import type {DashboardBackend} from './backend.js';
import {bindingForKey, blockedReason, stepBatchSize, type DashboardCommand} from './keymap.js';
import {fill, type StringKey, type Strings} from './i18n.js';
import type {DashboardAction, DashboardState, Overlay} from './state-types.js';
import {checkSummary, rollbackSummary, verdictLine, verifySummary} from './summaries.js';

/** The part of the controller commands need (kept narrow so the two files do not tangle). */
export type CommandHost = {
	readonly backend: DashboardBackend;
	readonly now: () => number;
	getState: () => DashboardState;
	dispatch: (...actions: DashboardAction[]) => void;
};

const active = (state: DashboardState) => state.mode === 'running' || state.mode === 'paused';

export class CommandRunner {
	/** The run was paused by `R` and is resumed if the rollback is cancelled. */
	private pausedForRollback = false;

	constructor(
		private readonly host: CommandHost,
		readonly t: Strings,
	) {}

	notice(text: string): void {
		this.host.dispatch({type: 'notice', text, now: this.host.now()});
	}

	overlay(overlay: Overlay): void {
		this.host.dispatch({type: 'overlay', overlay});
	}

	key(char: string): void {
		const binding = bindingForKey(char);
		if (!binding) {
			return;
		}

		const state = this.host.getState();
		const reason: StringKey | undefined = blockedReason(binding.command, state) ?? (this.unsupported(binding.command) ? 'blockedReadOnly' : undefined);
		if (reason) {
			this.notice(`${binding.key}: ${this.t[reason]}`);
			return;
		}

		this.run(binding.command, state);
	}

	/** Commands the backend cannot carry out (a watch-only dashboard has no control). */
	private unsupported(command: DashboardCommand): boolean {
		const {backend} = this.host;
		switch (command) {
			case 'start': {
				return !backend.start;
			}

			case 'toggle-pause':
			case 'halve-batch':
			case 'increase-batch':
			case 'decrease-batch':
			case 'switch-cpu': {
				return !backend.control;
			}

			case 'rollback': {
				return !backend.rollback;
			}

			default: {
				return false;
			}
		}
	}

	run(command: DashboardCommand, state: DashboardState): void {
		const control = this.host.backend.control!;
		const handlers: Record<DashboardCommand, () => void> = {
			help: () => this.overlay({kind: 'help', page: 0}),
			history: () => this.overlay({kind: 'history'}),
			detach: () => this.detach(),
			quit: () => this.quit(),
			start: () => this.start(false),
			'toggle-pause'() {
				if (control.paused) {
					control.resume();
				} else {
					control.pause();
				}
			},
			'retry-failed': () => this.retry(state),
			'halve-batch': () => this.changeBatch('halve-batch'),
			'increase-batch': () => this.changeBatch('increase-batch'),
			'decrease-batch': () => this.changeBatch('decrease-batch'),
			'switch-cpu': () => {
				control.switchDevice('cpu');
				this.notice(this.t.switchingCpu);
			},
			verify: () => void this.report('verify'),
			check: () => void this.report('check'),
			rollback: () => this.askRollback(state),
		};
		handlers[command]();
	}

	private start(retryFailed: boolean): void {
		this.host.dispatch({type: 'mode', mode: 'starting', now: this.host.now()});
		this.host.backend.start!({retryFailed});
	}

	private retry(state: DashboardState): void {
		const {control, start} = this.host.backend;
		if (active(state) && control) {
			control.retryFailed();
			this.notice(this.t.retryQueued);
		} else if (start) {
			// A finished or stopped run: a new run retries the failed messages and rebuilds the indexes.
			this.start(true);
			this.notice(this.t.retryNextRun);
		}
	}

	/** The new size shows as pending until the engine's next batch uses it. */
	private changeBatch(command: 'halve-batch' | 'increase-batch' | 'decrease-batch'): void {
		const control = this.host.backend.control!;
		const from = control.batchSize;
		if (command === 'increase-batch') {
			const next = stepBatchSize(from, 1, control.tokenBudget);
			if (next === from) {
				this.notice(stepBatchSize(from, 1) === from ? this.t.batchAtLimit : fill(this.t.batchCapped, {size: from}));
				return;
			}

			control.setBatchSize(next, 'user');
		} else if (command === 'decrease-batch') {
			control.setBatchSize(stepBatchSize(from, -1), 'user');
		} else {
			control.halveBatchSize('user');
		}

		const to = control.batchSize;
		this.notice(to === from ? this.t.batchAtLimit : fill(this.t.batchPending, {from: this.host.getState().pendingBatch?.from ?? from, to}));
	}

	/** Leaves another process's run alone: it goes on; this dashboard closes. */
	detach(): void {
		this.notice(this.t.detaching);
		this.host.backend.detach?.();
	}

	/** Ctrl+C (and SIGINT): stop safely; a second one forces. Attached, it only detaches. */
	interrupt(): void {
		const state = this.host.getState();
		if (state.attached) {
			this.detach();
			return;
		}

		if (state.quitRequested) {
			this.host.backend.quit(true);
			return;
		}

		this.quit();
	}

	quit(): void {
		const state = this.host.getState();
		if (state.attached) {
			// Someone else's run: quitting the view must not stop it.
			this.detach();
		} else if (state.quitRequested) {
			this.host.backend.quit(true);
		} else if (state.phase === 'cutover' && active(state)) {
			this.overlay({kind: 'confirm-quit'});
		} else {
			this.quitSafely();
		}
	}

	quitSafely(): void {
		const state = this.host.getState();
		this.host.dispatch({type: 'quit-requested'});
		if (active(state) && this.host.backend.control) {
			this.notice(this.t.stopping);
		}

		this.host.backend.quit(false);
	}

	private askRollback(state: DashboardState): void {
		const {control} = this.host.backend;
		// The run must not go on writing while the user reads the question.
		if (active(state) && control && !control.paused) {
			control.pause();
			this.pausedForRollback = true;
		}

		this.overlay({kind: 'confirm-rollback', typed: '', wrong: false});
	}

	cancelRollback(): void {
		this.overlay({kind: 'none'});
		if (this.pausedForRollback) {
			this.pausedForRollback = false;
			this.host.backend.control?.resume();
		}
	}

	/** Stops the run first (its batch in flight finishes), then rolls back and resets the progress. */
	async rollback(): Promise<void> {
		const {backend} = this.host;
		this.pausedForRollback = false;
		try {
			if (active(this.host.getState()) && backend.stopRun) {
				this.overlay({kind: 'busy', message: this.t.stoppingForRollback});
				await backend.stopRun();
			}

			this.overlay({kind: 'busy', message: this.t.rollingBack});
			const text = rollbackSummary(await backend.rollback!(), this.t);
			this.host.dispatch({type: 'rolled-back', now: this.host.now()}, {type: 'notice', text, now: this.host.now()});
		} catch (error) {
			this.notice(fill(this.t.rollbackFailed, {error: (error as Error).message}));
		} finally {
			this.overlay({kind: 'none'});
		}
	}

	/** Runs verify or check and shows its one-line summary. */
	private async report(command: 'verify' | 'check'): Promise<void> {
		const summarize = this.summarizer(command);
		if (!summarize) {
			return;
		}

		this.notice(command === 'verify' ? this.t.verifying : this.t.checking);
		try {
			const {ok, text} = await summarize();
			this.host.dispatch({type: 'verify', ok, text});
			this.notice(verdictLine(ok, text, this.t));
		} catch (error) {
			this.host.dispatch({type: 'verify', ok: false, text: (error as Error).message});
			this.notice(verdictLine(false, (error as Error).message, this.t));
		}
	}

	/** Runs verify or check through the backend and words the outcome; undefined when there is neither. */
	private summarizer(command: 'verify' | 'check'): (() => Promise<{ok: boolean; text: string}>) | undefined {
		const {verify, check} = this.host.backend;
		if (command === 'verify') {
			return verify && (async () => verify().then(outcome => ({ok: outcome.ok, text: verifySummary(outcome, this.t)})));
		}

		return check && (async () => check().then(outcome => ({ok: outcome.ok, text: checkSummary(outcome, this.t)})));
	}
}
