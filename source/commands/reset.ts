/** `qwen3-migrate reset`: start over — migration state and new-model rows gone, example settings back. */
import path from 'node:path';
import {resetWorkspace} from '../engine/ops/reset.js';
import {workspacePathsLenient} from '../engine/workspace.js';
import {defineCommand} from './shared/define-command.js';
import {outputFlags, rejectArguments, workspaceFlag, yesFlag} from './shared/flags.js';
import {confirm} from './shared/prompt.js';

export const resetCommand = defineCommand({
	name: 'reset',
	summary: 'Start over: remove migration state and new-model rows, restore the example settings',
	usage: ['qwen3-migrate reset [--workspace DIR] [--models] [--yes]'],
	description: `
The guide's system reset, made safe. Removes the migration's bookkeeping, the new model's rows,
staged indexes and the lock; with --models also the model cache (data/memory/models); and puts
the memory_system section of settings_qwen3_example.json in place (the bot's other settings are
kept, and the previous settings.json is saved beside it). It never deletes messages or old-model
vectors, takes a timestamped backup of memory.db and the indexes first, and refuses while a
migration runs. Asks you to type "reset" unless --yes.`,
	flags: {
		...workspaceFlag,
		models: {type: 'boolean', default: false, description: 'Also delete the downloaded model cache'},
		...yesFlag('Do not ask'),
		...outputFlags,
	},
	examples: ['qwen3-migrate reset --workspace /srv/pigpig', 'qwen3-migrate reset --models --yes'],
	async run({input, flags}, context) {
		rejectArguments(input);

		const root = path.resolve(context.cwd, flags.workspace);
		if (!flags.yes && !(await confirm(context, `This removes the migration's state and new-model vectors in ${root} and restores the example settings. Type "reset" to confirm:`, 'reset', 'reset'))) {
			context.stderr.write('Cancelled; nothing was changed.\n');
			return 0;
		}

		const result = await resetWorkspace(workspacePathsLenient(root), {models: flags.models});
		if (flags.json) {
			context.stdout.write(`${JSON.stringify(result, undefined, 2)}\n`);
		} else {
			context.stdout.write(
				[
					`Reset ${root}: ${result.removedRows} new-model vectors removed.`,
					...result.removed.map(item => `  removed ${item}`),
					result.settingsSavedAs ? `  settings.json saved as ${result.settingsSavedAs}; example settings restored` : '  example settings written',
					...result.backups.map(item => `  backup ${item}`),
					'Messages and old-model vectors are untouched. Run `qwen3-migrate migrate` to start again.',
					'',
				].join('\n'),
			);
		}

		return 0;
	},
});
