/**
 * One-call entry points for whoever owns or looks for a run: serve its control channel beside the
 * migration lock, or attach to the one a live run serves. Both fail soft: a run without a channel
 * still runs, and no channel means no live run to attach to.
 */
import {existsSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import type {RunControl} from '../migration/control.js';
import type {MigrationEvents} from '../migration/events.js';
import {ControlClient} from './client.js';
import {controlSocketPath} from './protocol.js';
import {ControlServer} from './server.js';

/** Serves `run`'s control channel; resolves with the function that closes it (a no-op if it could not). */
export async function serveRunControl(lockFile: string, run: {control: RunControl; events: MigrationEvents}): Promise<() => Promise<void>> {
	const socketPath = controlSocketPath(lockFile);
	try {
		// The state directory may not exist yet on a workspace that never ran a migration.
		mkdirSync(path.dirname(socketPath), {recursive: true});
		const server = await ControlServer.listen(socketPath, {control: run.control, events: run.events});
		return async () => server.close();
	} catch {
		return async () => Promise.resolve();
	}
}

/** The live run's channel, or undefined when no process serves one (no run, or its runner died). */
export async function attachToLiveRun(lockFile: string, options: {readOnly: boolean}): Promise<ControlClient | undefined> {
	const socketPath = controlSocketPath(lockFile);
	if (!existsSync(socketPath)) {
		return undefined;
	}

	try {
		return await ControlClient.connect(socketPath, options);
	} catch {
		return undefined;
	}
}
