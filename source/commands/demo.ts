/** `qwen3-migrate demo <dir>`: a complete pre-migration workspace to try the tool on. */
import path from 'node:path';
import {createDemoWorkspace} from '../demo/create-workspace.js';
import {UsageError} from '../engine/errors.js';
import {Migration} from '../engine/migration/migration.js';
import {defineCommand} from './shared/define-command.js';
import {debugFlag, jsonFlag} from './shared/flags.js';
import {openDashboard} from './shared/open-dashboard.js';
import {runHeadless} from './shared/run-headless.js';
import {openWorkspace} from '../engine/workspace.js';

export const demoCommand = defineCommand({
	name: 'demo',
	summary: 'Create a demo workspace (bot settings, chat database, old indexes) to try a migration on',
	usage: ['qwen3-migrate demo <dir> [--messages N] [--channels K] [--no-ui]'],
	description: `
Without --no-ui the migration of the new workspace starts right away: in the live dashboard in a
terminal, as progress lines otherwise.

Writes a complete PigPig workspace in <dir> as the bot has it before the migration:
settings.json with the old model active, a memory.db of chat messages (Traditional Chinese,
English, emoji; a few blank, some long) embedded by a generated stand-in of the old model,
the per-channel FAISS indexes with their .mapping files, and a generated stand-in of
Qwen3-Embedding as the migration target (no download needed).`,
	flags: {
		messages: {type: 'number', valueName: 'N', default: 2000, description: 'Messages to generate (default 2000)'},
		channels: {type: 'number', valueName: 'K', default: 4, description: 'Channels to spread them over (default 4; with 3 or more, one has vectors off)'},
		seed: {type: 'number', valueName: 'S', default: 42, description: 'Random seed (default 42)'},
		ui: {type: 'boolean', default: true, description: 'Only create the workspace; do not start the migration'},
		json: {...jsonFlag.json, description: `${jsonFlag.json.description} (implies --no-ui)`},
		...debugFlag,
	},
	examples: [
		'qwen3-migrate demo /tmp/ws --no-ui',
		'qwen3-migrate demo /tmp/big --messages 100000 --channels 20 --no-ui',
		'qwen3-migrate migrate --workspace /tmp/ws --no-ui --yes',
	],
	async run({input, flags}, context) {
		const [directory, ...extra] = input;
		if (!directory || extra.length > 0) {
			throw new UsageError('demo needs exactly one directory argument', 'e.g. qwen3-migrate demo /tmp/ws');
		}

		const root = path.resolve(context.cwd, directory);
		const started = Date.now();
		let lastStep = '';
		const summary = await createDemoWorkspace(root, {
			messages: flags.messages,
			channels: flags.channels,
			seed: flags.seed,
			onProgress(step, done, total) {
				if (flags.json) {
					return;
				}

				if (step !== lastStep || done === total) {
					context.stderr.write(`  ${step}: ${done}/${total}\n`);
					lastStep = step;
				}
			},
		});
		const seconds = (Date.now() - started) / 1000;
		if (flags.json) {
			context.stdout.write(`${JSON.stringify({...summary, seconds}, undefined, 2)}\n`);
			return 0;
		}

		context.stdout.write(
			[
				`Demo workspace ready in ${seconds.toFixed(1)} s: ${summary.root}`,
				`  ${summary.messages} messages in ${summary.channels} channels, ${summary.embedded} embedded by the old model (${summary.sourceDimension}-d)`,
				`  ${summary.blank} blank messages${summary.disabledChannel ? `, channel ${summary.disabledChannel} has vectors off` : ''}`,
				`  target: generated Qwen3 stand-in (${summary.targetDimension}-d)`,
				'Migrate it with:',
				`  qwen3-migrate migrate --workspace ${summary.root} --no-ui --yes`,
				'',
			].join('\n'),
		);
		if (!flags.ui) {
			return 0;
		}

		if (context.interactive) {
			return openDashboard({root, startImmediately: true, readOnly: false}, context);
		}

		context.stdout.write(`\nMigrating the demo workspace (Ctrl+C stops cleanly; run the command above to resume)...\n`);
		return runHeadless(new Migration({workspace: openWorkspace(root), env: context.env}), context, false);
	},
});
