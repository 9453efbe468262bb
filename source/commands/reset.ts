/** `qwen3-migrate reset`: start over — migration state and new-model rows gone, example settings back. */
import path from 'node:path';
import {resetWorkspace} from '../engine/ops/reset.js';
import {workspacePathsLenient} from '../engine/workspace.js';
import {confirm} from './prompt.js';
import {outputFlags, rejectArguments, sharedHelp, workspaceFlag} from './shared-flags.js';
import type {Command} from './types.js';

export const resetCommand: Command = {
	name: 'reset',
	summary: 'Start over: remove migration state and new-model rows, restore the example settings',
	help: `
Usage
  $ qwen3-migrate reset [--workspace DIR] [--models] [--yes]

The guide's system reset, made safe. Removes the migration's bookkeeping, the new model's rows,
staged indexes and the lock; with --models also the model cache (data/memory/models); and puts
the memory_system section of settings_qwen3_example.json in place (the bot's other settings are
kept, and the previous settings.json is saved beside it). It never deletes messages or old-model
vectors, takes a timestamped backup of memory.db and the indexes first, and refuses while a
migration runs. Asks you to type "reset" unless --yes.

Options
  ${sharedHelp.workspace}
  --models             Also delete the downloaded model cache
  --yes, -y            Do not ask
  ${sharedHelp.json}
  ${sharedHelp.debug}

Examples
  $ qwen3-migrate reset --workspace /srv/pigpig
  $ qwen3-migrate reset --models --yes
`,
	flags: {...workspaceFlag, models: {type: 'boolean', default: false}, yes: {type: 'boolean', shortFlag: 'y', default: false}, ...outputFlags},
	async run({input, flags}, context) {
		rejectArguments(input);

		const root = path.resolve(context.cwd, flags.workspace as string);
		if (!flags.yes && !(await confirm(context, `This removes the migration's state and new-model vectors in ${root} and restores the example settings. Type "reset" to confirm:`, 'reset', 'reset'))) {
			context.stderr.write('Cancelled; nothing was changed.\n');
			return 0;
		}

		const result = await resetWorkspace(workspacePathsLenient(root), {models: flags.models as boolean});
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
};
