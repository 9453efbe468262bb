/**
 * The migration a dashboard runs itself: started by `s` (again after a failure, a stop or a
 * rollback: each start makes a new Migration), stopped safely by q or Ctrl+C, and kept running to
 * its end when the terminal goes away.
 */
import {serveRunControl} from '../engine/control/serve.js';
import {exitCodes} from '../engine/errors.js';
import type {Migration} from '../engine/migration/migration.js';
import type {DashboardBackend, DashboardController} from './controller.js';

/** `finish(-1)` asks the dashboard to work the exit code out from its state. */
export const codeFromState = -1;

export type RunOwnerOptions = {
	controller: DashboardController;
	backend: DashboardBackend;
	createMigration: (() => Migration) | undefined;
	now: () => number;
	finish: (code: number) => void;
	exitWhenDone?: boolean;
	/** The migration lock: the run's control channel is served beside it, so other logins can attach. */
	lockFile?: string;
};

export class RunOwner {
	private migration: Migration | undefined;
	private runPromise: Promise<void> | undefined;
	private quitting = false;
	private terminalDetached = false;
	private finished = false;
	/** This dashboard ran a migration: its outcome decides the exit code. */
	ranMigration = false;

	constructor(private readonly options: RunOwnerOptions) {
		options.backend.start = options.createMigration ? start => this.start(start) : undefined;
		options.backend.stopRun = async () => this.stop();
	}

	get running(): boolean {
		return this.migration !== undefined;
	}

	start({retryFailed}: {retryFailed: boolean}): void {
		const {controller, backend, createMigration, now} = this.options;
		if (this.migration || !createMigration) {
			return;
		}

		let migration: Migration;
		try {
			migration = createMigration();
		} catch (error) {
			this.failed(error);
			return;
		}

		this.migration = migration;
		this.ranMigration = true;
		if (retryFailed) {
			migration.control.retryFailed();
		}

		backend.control = migration.control;
		controller.attach(migration.events);
		const served = this.serve(migration);
		this.runPromise = migration
			.run()
			.then(
				result => {
					if (result.status === 'noop') {
						controller.dispatch({type: 'notice', text: result.message, now: now()}, {type: 'mode', mode: 'done', now: now()});
					}
				},
				(error: unknown) => this.failed(error),
			)
			.finally(async () => {
				await (await served)?.();
				this.migration = undefined;
				backend.control = undefined;
				this.ended();
			});
	}

	/** Serves the run's control channel; without it (another owner, no socket) the run still runs. */
	private async serve(migration: Migration): Promise<(() => Promise<void>) | undefined> {
		const {lockFile} = this.options;
		return lockFile ? serveRunControl(lockFile, migration) : undefined;
	}

	private failed(error: unknown): void {
		const {exitCode} = error as {exitCode?: number};
		this.options.controller.dispatch({type: 'mode', mode: 'failed', error: (error as Error).message ?? String(error), exitCode, now: this.options.now()});
	}

	private ended(): void {
		if (this.options.exitWhenDone || this.quitting || this.terminalDetached) {
			this.finish(codeFromState);
		}
	}

	private finish(code: number): void {
		if (!this.finished) {
			this.finished = true;
			this.options.finish(code);
		}
	}

	/** Stops the run (the batch in flight is finished and checkpointed) and waits for its end. */
	async stop(): Promise<void> {
		if (this.migration) {
			this.migration.control.abort();
			await this.runPromise;
		}
	}

	quit(force: boolean): void {
		if (force) {
			// The second q or Ctrl+C: leave now; the run record stays resumable from its checkpoint.
			this.finish(this.running ? exitCodes.aborted : codeFromState);
			return;
		}

		this.quitting = true;
		if (this.migration) {
			this.options.controller.dispatch({type: 'mode', mode: 'stopping', now: this.options.now()});
			this.migration.control.abort();
		} else {
			this.finish(codeFromState);
		}
	}

	/** The terminal is gone: a run goes on to its end (the log file records it), else close now. */
	terminalGone(): void {
		this.terminalDetached = true;
		if (!this.migration) {
			this.finish(codeFromState);
		}
	}
}
