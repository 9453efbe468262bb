/** `qwen3-migrate rollback`: back to exactly the state before the migration. */
import path from 'node:path';
import {rollbackMigration} from '../engine/migration/rollback.js';
import {exitCodes} from '../engine/errors.js';
import {rollbackWorkspacePaths} from '../engine/workspace.js';
import {defineCommand} from './shared/define-command.js';
import {outputFlags, rejectArguments, workspaceFlag, yesFlag} from './shared/flags.js';
import {confirm} from './shared/prompt.js';

export const rollbackCommand = defineCommand({
	name: 'rollback',
	summary: 'Undo a migration, before or after cut-over: settings, indexes and database as they were',
	usage: ['qwen3-migrate rollback [--workspace DIR] [--yes] [--from-backup]'],
	description: `
Restores settings.json and the index files byte-for-byte from settings.json.backup and
indices.backup/, and removes from memory.db exactly the vectors the migration added (the bot's
messages, and anything else it wrote, stay). With --from-backup the database is instead
replaced by memory.db.backup (this also drops messages stored since the backup).
Stop the migration first; restart the bot afterwards. A rollback that was killed part-way is
finished by running the same command again (check and verify say when one is pending).`,
	flags: {
		...workspaceFlag,
		...yesFlag('Do not ask (otherwise you type "rollback" to confirm)'),
		fromBackup: {type: 'boolean', default: false, description: 'Restore memory.db from memory.db.backup instead of deleting new rows'},
		...outputFlags,
	},
	examples: ['qwen3-migrate rollback --workspace /srv/pigpig', 'qwen3-migrate rollback --yes --json'],
	async run({input, flags}, context) {
		rejectArguments(input);

		const root = path.resolve(context.cwd, flags.workspace);
		if (!flags.yes && !(await confirm(context, `Roll back the migration in ${root}? Type "rollback" to confirm:`, 'rollback', 'rollback'))) {
			context.stderr.write('Cancelled; nothing was changed.\n');
			return exitCodes.ok;
		}

		const result = await rollbackMigration(rollbackWorkspacePaths(root), {fromBackup: flags.fromBackup});
		if (flags.json) {
			context.stdout.write(`${JSON.stringify(result, undefined, 2)}\n`);
		} else {
			context.stdout.write(
				[
					...(result.resumed ? ['Finished a rollback that was interrupted earlier.'] : []),
					`Rolled back migration ${result.runId} (${result.afterCutover ? 'after' : 'before'} cut-over).`,
					result.fromBackup ? `  memory.db restored from its backup` : `  removed ${result.removedRows} new-model vectors from memory.db`,
					...result.restored.map(file => `  restored ${file}`),
					'Restart the bot to load the old model and indexes.',
					'',
				].join('\n'),
			);
		}

		return exitCodes.ok;
	},
});
