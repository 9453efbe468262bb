/** `qwen3-migrate migrate`: run (or resume) the migration; also the guide's `--migrate`. */
import path from 'node:path';
import {Migration} from '../engine/migration/migration.js';
import {pruneOldVectors} from '../engine/migration/prune.js';
import {openWorkspace, workspacePathsLenient, type LenientWorkspace} from '../engine/workspace.js';
import {exitCodes} from '../engine/errors.js';
import {deviceNames, profileNames, strategyNames} from '../engine/settings/schema.js';
import {defineCommand, type CommandContext} from './shared/define-command.js';
import {batchSizeFlag, integerIn, outputFlags, rejectArguments, workspaceFlag, yesFlag, endpointFlags, remoteFlagValues} from './shared/flags.js';
import {openDashboard} from './shared/open-dashboard.js';
import {confirm} from './shared/prompt.js';
import {chooseEmbeddingBackend} from './shared/embedding-backend.js';
import {followLiveRun, runHeadless} from './shared/run-headless.js';

/** Paths and settings when the workspace can be read; otherwise the run itself reports why, once. */
function readableWorkspace(root: string): LenientWorkspace | undefined {
	try {
		return workspacePathsLenient(root);
	} catch {
		return undefined;
	}
}

async function runPrune(root: string, yes: boolean, json: boolean, context: CommandContext): Promise<number> {
	if (!yes && !(await confirm(context, 'Delete every old-model vector for good? Rollback will then need --from-backup. Type "prune" to confirm:', 'prune', 'migrate --prune-old'))) {
		context.stderr.write('Cancelled; nothing was deleted.\n');
		return exitCodes.ok;
	}

	const result = pruneOldVectors(openWorkspace(root));
	context.stdout.write(json ? `${JSON.stringify(result)}\n` : `Deleted ${result.deleted} vectors of ${result.sourceModel}.\n`);
	return exitCodes.ok;
}

export const migrateCommand = defineCommand({
	name: 'migrate',
	summary: 'Re-embed every message with the new model, rebuild the indexes, switch the bot over (resumable)',
	usage: [
		'qwen3-migrate migrate [--workspace DIR] [--batch-size N] [--device auto|cpu|cuda] [--profile NAME] [--no-ui] [--yes]',
		'qwen3-migrate --migrate --batch-size=10 --strategy=regenerate      (the guide\'s spelling)',
	],
	description: `
Phases: preflight, backup (settings.json.backup, memory.db.backup, indices.backup/), embed
(new vectors are added beside the old ones; the bot keeps serving), catch-up (messages the bot
wrote meanwhile), index (new per-channel FAISS indexes in a staging directory), verify, and
cut-over (indexes swapped, settings.json switched). Kill it at any moment and run it again: it
resumes from the last committed batch. Ctrl+C stops after the batch in flight.`,
	flags: {
		...workspaceFlag,
		strategy: {type: 'string', valueName: 'NAME', choices: strategyNames, description: 'regenerate (re-embed from the message text). Default: from settings'},
		...batchSizeFlag('Messages per model call (default: memory_system.migration.migration_batch_size)'),
		device: {type: 'string', valueName: 'NAME', choices: deviceNames, description: 'auto, cpu or cuda (default: memory_system.migration.device)'},
		profile: {type: 'string', valueName: 'NAME', choices: profileNames, description: 'The Qwen3 profile to switch to (default: follows the current profile)'},
		ui: {type: 'boolean', default: true, description: 'Print progress lines instead of opening the dashboard'},
		...yesFlag('Do not ask for confirmation (required without a terminal)'),
		retryFailed: {type: 'boolean', default: false, description: 'Try the messages that failed again (also after a finished migration)'},
		allowDimensionMismatch: {type: 'boolean', default: false, description: 'Keep a migration.output_dimension the Qwen3 profile does not read (1024);\nyou must change the bot\'s profile too'},
		pruneOld: {type: 'boolean', default: false, description: 'After a finished migration: delete the old model\'s vectors'},
		keepBackups: {
			type: 'number',
			valueName: 'N',
			validate: integerIn('--keep-backups', 0, 1000, 'e.g. --keep-backups 2 (0 keeps only the new backup)'),
			description: 'Older backup sets to keep when a new run backs up again (default 2);\nearlier runs\' backups are renamed with a timestamp, older ones deleted',
		},
		...endpointFlags,
		...outputFlags,
	},
	notes: `
Fault injection (tests, demos): QWEN3_MIGRATE_FAULTS="oom@size>8,fail@message=<id>"

Exit codes: 0 done (or nothing to do), 1 done with failed messages or a run error, 2 usage or
configuration error, 130 stopped by Ctrl+C (resumable).`,
	examples: [
		'qwen3-migrate migrate --workspace /srv/pigpig --no-ui --yes',
		'qwen3-migrate migrate --batch-size 8 --device cpu',
		'qwen3-migrate --migrate --batch-size=10 --strategy=regenerate',
	],
	async run({input, flags}, context) {
		rejectArguments(input);

		const root = path.resolve(context.cwd, flags.workspace);
		const {json, yes} = flags;
		if (flags.pruneOld) {
			return runPrune(root, yes, json, context);
		}

		const readable = readableWorkspace(root);
		const backend = chooseEmbeddingBackend(readable?.settings?.settings.memory_system, remoteFlagValues(flags), context.env, line => context.stderr.write(`warning: ${line}\n`));
		// A new Migration for every start: the dashboard's s after a failure must not reuse a spent one.
		let starts = 0;
		const createMigration = () => {
			const retryFailed = flags.retryFailed && starts++ === 0;
			const migration = new Migration({
				workspace: openWorkspace(root),
				batchSize: flags.batchSize,
				device: flags.device,
				profile: flags.profile,
				strategy: flags.strategy,
				env: context.env,
				retryFailed,
				keepBackups: flags.keepBackups,
				allowDimensionMismatch: flags.allowDimensionMismatch,
				loadEmbedder: backend.loadEmbedder,
			});
			backend.attach(migration.events);
			if (retryFailed) {
				migration.control.retryFailed();
			}

			return migration;
		};

		if (flags.ui && context.interactive && !json) {
			// In the dashboard, without --yes, pressing s is the confirmation.
			return openDashboard({root, startImmediately: yes, readOnly: false, createMigration}, context);
		}

		const lockFile = readable?.paths.lock;
		const followed = lockFile === undefined ? undefined : await followLiveRun(lockFile, context);
		if (followed !== undefined) {
			return followed;
		}

		if (!yes && !(await confirm(context, `Migrate the memory in ${root} to the new model? [y/N]`, 'y', 'migrate'))) {
			context.stderr.write('Cancelled; nothing was changed.\n');
			return exitCodes.ok;
		}

		return runHeadless(createMigration(), context, json, lockFile);
	},
});
