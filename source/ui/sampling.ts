/**
 * The dashboard's periodic inputs: the clock, resource readings, the log's new lines and (until
 * this dashboard runs or attaches to a migration) the run record in the database.
 */
import {LogFollower} from '../engine/log/follow.js';
import {RunWatcher} from '../engine/migration/watch.js';
import {ResourceSampler, systemSources} from '../engine/monitor/resources.js';
import type {DashboardController} from './controller.js';
import type {DashboardOptions} from './dashboard-options.js';
import type {DashboardAction} from './state-types.js';

export function startSampling(context: {controller: DashboardController; options: DashboardOptions; now: () => number; skipRecord: () => boolean}): {stop: () => void} {
	const {controller, options, now, skipRecord} = context;
	const follower = new LogFollower(options.paths.logs);
	const sampler = new ResourceSampler(options.resourceSources ?? systemSources(options.paths.root));
	// A finished run, or one running in another process, shows from its record.
	const watcher = new RunWatcher(options.paths);
	const watchAction = (): DashboardAction[] => {
		if (skipRecord()) {
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

	const timer = setInterval(everySecond, 1000);
	if (!options.startImmediately) {
		controller.dispatch(...watchAction());
		// Before any run record, the bar still shows the rows already migrated.
		void options.baseline?.().then(
			counts => counts && controller.dispatch({type: 'baseline', ...counts}),
			() => undefined,
		);
	}

	controller.addResources(sampler.sample());
	controller.addLogEntries(follower.poll().entries);
	return {
		stop() {
			clearInterval(timer);
			watcher.close();
		},
	};
}
