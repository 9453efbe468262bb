/**
 * Opens the dashboard on a workspace, wired to the engine's operations; `dashboard`, `migrate`,
 * `demo` and the bare `qwen3-migrate` in a terminal all open it this way.
 */
import {Migration} from '../../engine/migration/migration.js';
import {rollbackMigration} from '../../engine/migration/rollback.js';
import {runCheck} from '../../engine/ops/check.js';
import {readProgressBaseline} from '../../engine/ops/progress-baseline.js';
import {runVerify} from '../../engine/ops/verify.js';
import {openWorkspace, rollbackWorkspacePaths, workspacePaths, workspacePathsLenient} from '../../engine/workspace.js';
import {runDashboard} from '../../ui/run-dashboard.js';
import type {CommandContext} from './define-command.js';

export type OpenDashboardOptions = {
	root: string;
	startImmediately: boolean;
	readOnly: boolean;
	createMigration?: () => Migration;
};

/** Opens the dashboard on a workspace; the commands that can show one call this. */
export async function openDashboard(options: OpenDashboardOptions, context: CommandContext): Promise<number> {
	// A missing workspace or a broken settings.json shows in the troubleshooting pane at open.
	let problemAtOpen: unknown;
	let paths = workspacePaths(options.root);
	try {
		const lenient = workspacePathsLenient(options.root);
		paths = lenient.paths;
		problemAtOpen = lenient.settingsError;
	} catch (error) {
		problemAtOpen = error;
	}

	return runDashboard({
		paths,
		createMigration: options.createMigration ?? (() => new Migration({workspace: openWorkspace(options.root), env: context.env})),
		problemAtOpen,
		startImmediately: options.startImmediately,
		readOnly: options.readOnly,
		env: context.env,
		// Rows already migrated count as done on the bar before any run record exists.
		baseline: async () => readProgressBaseline(openWorkspace(options.root)),
		// The dashboard words these in its language (ui/summaries.ts): verify's findings and check's items by id.
		async verify() {
			const report = await runVerify(openWorkspace(options.root));
			const problems = report.findings.filter(finding => finding.status !== 'ok');
			return {ok: report.ok, model: report.model, problems: problems.map(({id, title, count}) => ({id, title, count}))};
		},
		async check() {
			const report = await runCheck(workspacePathsLenient(options.root), {env: context.env});
			const problems = report.items.filter(item => item.status !== 'ok');
			return {ok: report.ok, problems: problems.map(({id, title, subject, detail}) => ({id, title, subject, detail}))};
		},
		async rollback() {
			const result = await rollbackMigration(rollbackWorkspacePaths(options.root));
			return {removedRows: result.removedRows};
		},
	});
}
