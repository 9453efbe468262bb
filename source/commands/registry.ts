/** The subcommands, and the guide's old flags that map onto them. */
import {bundleCommand} from './bundle.js';
import {checkCommand} from './check.js';
import {dashboardCommand} from './dashboard.js';
import {demoCommand} from './demo.js';
import {downloadCommand} from './download.js';
import {logsCommand} from './logs.js';
import {migrateCommand} from './migrate.js';
import {monitorCommand} from './monitor.js';
import {planCommand} from './plan.js';
import {resetCommand} from './reset.js';
import {rollbackCommand} from './rollback.js';
import {serveCommand} from './serve.js';
import {verifyCommand} from './verify.js';
import type {Command} from './shared/define-command.js';

export const commands: Command[] = [migrateCommand, rollbackCommand, dashboardCommand, checkCommand, downloadCommand, planCommand, verifyCommand, logsCommand, monitorCommand, resetCommand, bundleCommand, demoCommand, serveCommand];

/** `python migrate_to_qwen3.py --check-only` and friends, as the guide spells them. */
export const guideFlagAliases: Record<string, string> = {
	'--migrate': 'migrate',
	'--check-only': 'check',
	'--dry-run': 'plan',
	'--verify': 'verify',
};

export function findCommand(name: string): Command | undefined {
	return commands.find(command => command.name === name);
}
