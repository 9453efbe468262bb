/** `qwen3-migrate dashboard` (and `qwen3-migrate` alone in a terminal): watch and steer. */
import path from 'node:path';
import {UsageError} from '../engine/errors.js';
import {defineCommand} from './shared/define-command.js';
import {debugFlag, rejectArguments, workspaceFlag} from './shared/flags.js';
import {openDashboard} from './shared/open-dashboard.js';

export const dashboardCommand = defineCommand({
	name: 'dashboard',
	summary: 'Open the live dashboard on a workspace (start, watch and steer a migration)',
	usage: ['qwen3-migrate dashboard [--workspace DIR] [--read-only]', 'qwen3-migrate                       (in a terminal: the same, on the current directory)'],
	description: `
Panels: progress (phase, bar, rate over ~10 s, ETA, batch size, device, failures, throughput),
resources (CPU, RAM, this process's RSS and its growth, GPU via nvidia-smi, free disk), the log's
errors and warnings, and troubleshooting: the current problem from the guide with the keys that
fix it. Press ? for the keys; s starts the migration when idle.`,
	flags: {
		...workspaceFlag,
		readOnly: {type: 'boolean', default: false, description: 'Watch without allowing any action'},
		...debugFlag,
	},
	notes: `
Environment: NO_COLOR / FORCE_COLOR=0 / TERM=dumb turn colours off; a non-UTF-8 locale gives
ASCII gauges; LANG=zh_TW.UTF-8 (or any zh locale) shows Traditional Chinese.`,
	examples: ['qwen3-migrate dashboard --workspace /srv/pigpig', 'qwen3-migrate dashboard --workspace /srv/pigpig --read-only'],
	async run({input, flags}, context) {
		rejectArguments(input);

		if (!context.interactive) {
			throw new UsageError('the dashboard needs a terminal', 'run it in a terminal (over SSH: ssh -t), or use `qwen3-migrate migrate --no-ui` for plain progress lines');
		}

		const root = path.resolve(context.cwd, flags.workspace);
		return openDashboard({root, startImmediately: false, readOnly: flags.readOnly}, context);
	},
});
