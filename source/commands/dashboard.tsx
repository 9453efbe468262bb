/** `qwen3-migrate dashboard` (and `qwen3-migrate` alone in a terminal): watch and steer. */
import path from 'node:path';
import {UsageError} from '../engine/errors.js';
import {Migration} from '../engine/migration/migration.js';
import {rollbackMigration} from '../engine/migration/rollback.js';
import {runCheck} from '../engine/ops/check.js';
import {runVerify} from '../engine/ops/verify.js';
import {loadSettings} from '../engine/settings/load.js';
import {requireWorkspaceDirectory, workspacePaths} from '../engine/workspace.js';
import {runDashboard} from '../ui/run-dashboard.js';
import {outputFlags, rejectArguments, sharedHelp, workspaceFlag} from './shared-flags.js';
import type {Command, CommandContext} from './types.js';

export type OpenDashboardOptions = {
	root: string;
	startImmediately: boolean;
	readOnly: boolean;
	createMigration?: () => Migration;
};

/** Opens the dashboard on a workspace; the commands that can show one call this. */
export async function openDashboard(options: OpenDashboardOptions, context: CommandContext): Promise<number> {
	const settingsPaths = workspacePaths(options.root);
	let problemAtOpen: unknown;
	const databasePath = (() => {
		try {
			requireWorkspaceDirectory(options.root);
			return loadSettings(settingsPaths.settings).settings.memory_system.database_path;
		} catch (error) {
			// A missing workspace or broken settings.json shows in the troubleshooting pane at open.
			problemAtOpen = error;
			return undefined;
		}
	})();
	const paths = workspacePaths(options.root, databasePath);
	return runDashboard({
		paths,
		createMigration: options.createMigration ?? (() => new Migration({workspace: options.root, env: context.env})),
		startImmediately: options.startImmediately,
		readOnly: options.readOnly,
		problemAtOpen,
		env: context.env,
		async verify() {
			const report = await runVerify(options.root);
			const problems = report.findings.filter(finding => finding.status !== 'ok');
			return {ok: report.ok, text: report.ok ? `verify: ${report.model} vectors and indexes consistent` : `verify: ${problems.map(finding => `${finding.title} (${finding.count})`).join('; ')}`};
		},
		async check() {
			const report = await runCheck(options.root, {env: context.env});
			const problems = report.items.filter(item => item.status !== 'ok');
			return {ok: report.ok, text: problems.length === 0 ? 'check: all items ok' : `check: ${problems.map(item => `${item.title}: ${item.detail}`).join('; ')}`};
		},
		async rollback() {
			const result = await rollbackMigration(options.root);
			return `rolled back: ${result.removedRows} new vectors removed, settings and indexes restored`;
		},
	});
}

export const dashboardCommand: Command = {
	name: 'dashboard',
	summary: 'Open the live dashboard on a workspace (start, watch and steer a migration)',
	help: `
Usage
  $ qwen3-migrate dashboard [--workspace DIR] [--read-only]
  $ qwen3-migrate                       (in a terminal: the same, on the current directory)

Panels: progress (phase, bar, rate over ~10 s, ETA, batch size, device, failures, throughput),
resources (CPU, RAM, this process's RSS and its growth, GPU via nvidia-smi, free disk), the log's
errors and warnings, and troubleshooting: the current problem from the guide with the keys that
fix it. Press ? for the keys; s starts the migration when idle.

Options
  ${sharedHelp.workspace}
  --read-only          Watch without allowing any action
  ${sharedHelp.debug}

Environment: NO_COLOR / FORCE_COLOR=0 / TERM=dumb turn colours off; a non-UTF-8 locale gives
ASCII gauges; LANG=zh_TW.UTF-8 (or any zh locale) shows Traditional Chinese.

Examples
  $ qwen3-migrate dashboard --workspace /srv/pigpig
  $ qwen3-migrate dashboard --workspace /srv/pigpig --read-only
`,
	flags: {
		...workspaceFlag,
		readOnly: {type: 'boolean', default: false},
		debug: outputFlags.debug!,
	},
	async run({input, flags}, context) {
		rejectArguments(input);

		if (!context.interactive) {
			throw new UsageError('the dashboard needs a terminal', 'run it in a terminal (over SSH: ssh -t), or use `qwen3-migrate migrate --no-ui` for plain progress lines');
		}

		const root = path.resolve(context.cwd, flags.workspace as string);
		return openDashboard({root, startImmediately: false, readOnly: flags.readOnly as boolean}, context);
	},
};
