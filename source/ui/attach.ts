/**
 * A dashboard opened on a workspace whose run another process owns attaches to that run's control
 * channel: the run's events and snapshots drive the panels, and (unless read-only) every key acts
 * on the running engine. When the owner's run ends, the channel closes and the dashboard goes back
 * to watching the run record.
 */
import {existsSync} from 'node:fs';
import {ControlClient} from '../engine/control/client.js';
import type {DashboardBackend, DashboardController} from './controller.js';
import {fill, type Strings} from './i18n.js';

export type Attachment = {client: ControlClient; detach: () => void};

export async function attachToRun(options: {socketPath: string; controller: DashboardController; backend: DashboardBackend; readOnly: boolean; strings: Strings}): Promise<Attachment | undefined> {
	const {socketPath, controller, backend, readOnly, strings: t} = options;
	if (!existsSync(socketPath)) {
		return undefined;
	}

	let client: ControlClient;
	try {
		client = await ControlClient.connect(socketPath, {readOnly});
	} catch {
		// A socket left by a killed runner: the run record tells the story (stopped, press s).
		return undefined;
	}

	controller.attach(client.events);
	if (!readOnly) {
		backend.control = client.control;
		// Resolved when the owner closes its channel, which it does only once its run has ended and
		// released the migration lock: a rollback started on run:aborted found the lock still held.
		backend.stopRun = async () =>
			new Promise<void>(resolve => {
				client.onClose(resolve);
				client.control.abort();
			});
	}

	let leaving = false;
	const stopSnapshots = client.onSnapshot(snapshot => controller.dispatchInBackground({type: 'attached', snapshot}));
	client.onClose(() => {
		stopSnapshots();
		backend.control = undefined;
		backend.stopRun = undefined;
		if (!leaving) {
			controller.dispatch({type: 'detached'}, {type: 'notice', text: t.ownerGone, now: controller.now()});
		}
	});
	if (client.snapshot) {
		controller.dispatch({type: 'attached', snapshot: client.snapshot}, {type: 'notice', text: fill(t.attached, {pid: client.serverPid ?? '?'}), now: controller.now()});
	}

	return {
		client,
		detach() {
			leaving = true;
			client.close();
		},
	};
}
