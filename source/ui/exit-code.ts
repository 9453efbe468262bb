/** The exit code when the dashboard closes, from what happened in it. */
import {exitCodes} from '../engine/errors.js';
import type {DashboardState} from './state.js';

/**
 * A problem at open exits with its own code (2 for a bad workspace or settings). The run's outcome
 * counts only when this dashboard ran it: an aborted run is 130, a failed one its error's code (2
 * for a configuration error, else 1), a run that left failed messages or an incomplete log 1.
 */
export function exitCodeFor(state: DashboardState, ranMigration: boolean): number {
	if (state.fatal) {
		return state.fatal.exitCode;
	}

	if (!ranMigration) {
		return exitCodes.ok;
	}

	switch (state.mode) {
		case 'aborted':
		case 'stopping':
		case 'running':
		case 'paused':
		case 'starting': {
			return exitCodes.aborted;
		}

		case 'failed': {
			return state.runErrorExitCode ?? exitCodes.problems;
		}

		case 'done': {
			return state.failed > 0 || state.logIncomplete ? exitCodes.problems : exitCodes.ok;
		}

		case 'idle':
		case 'rolled-back': {
			return exitCodes.ok;
		}
	}
}
