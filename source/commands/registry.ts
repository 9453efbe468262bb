/** The subcommands, and the guide's old flags that map onto them. */
import {dashboardCommand} from './dashboard.js';
import {demoCommand} from './demo.js';
import {migrateCommand} from './migrate.js';
import {rollbackCommand} from './rollback.js';
import type {Command} from './types.js';

export const commands: Command[] = [migrateCommand, rollbackCommand, dashboardCommand, demoCommand];

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
