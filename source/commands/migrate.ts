/** `qwen3-migrate migrate`: run (or resume) the migration; also the guide's `--migrate`. */
import path from 'node:path';
import {Migration, type MigrationOutcome} from '../engine/migration/migration.js';
import {pruneOldVectors} from '../engine/migration/prune.js';
import {openWorkspace} from '../engine/workspace.js';
import {exitCodes, UsageError} from '../engine/errors.js';
import {deviceNames, profileNames, strategyNames, type ProfileName, type StrategyName} from '../engine/settings/schema.js';
import {openDashboard} from './dashboard.js';
import {attachProgressPrinter} from './progress-printer.js';
import {confirm} from './prompt.js';
import {batchSizeFlag, outputFlags, rejectArguments, sharedHelp, workspaceFlag} from './shared-flags.js';
import type {Command, CommandContext} from './types.js';

function describeOutcome(outcome: MigrationOutcome): string {
	switch (outcome.status) {
		case 'done': {
			const lines = [
				`Migration complete: ${outcome.succeeded}/${outcome.total} messages have new vectors (${outcome.failed} failed, ${outcome.blank} blank skipped, ${outcome.truncated} truncated, ${outcome.reused} reused from identical texts) in ${outcome.seconds.toFixed(1)} s.`,
				'settings.json and the indexes now use the new model; restart the bot to load them.',
				`Log: ${outcome.logFile}`,
			];
			if (outcome.failed > 0) {
				lines.push('Failed messages are listed by `qwen3-migrate verify`; retry them with `qwen3-migrate migrate --retry-failed`.');
			}

			return lines.join('\n');
		}

		case 'aborted': {
			return `Migration stopped at ${outcome.done}/${outcome.total}; everything committed is kept. Run \`qwen3-migrate migrate\` again to resume.\nLog: ${outcome.logFile}`;
		}

		case 'noop': {
			return outcome.message;
		}
	}
}

function exitCodeFor(outcome: MigrationOutcome): number {
	if (outcome.status === 'aborted') {
		return exitCodes.aborted;
	}

	return outcome.status === 'done' && outcome.failed > 0 ? exitCodes.problems : exitCodes.ok;
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

function keepBackupsFlag(value: unknown): number | undefined {
	if (value === undefined) {
		return undefined;
	}

	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) {
		throw new UsageError(`--keep-backups: expected an integer from 0 to 1000, received ${JSON.stringify(value) ?? typeof value}`, 'e.g. --keep-backups 2 (0 keeps only the new backup)');
	}

	return value;
}

export const migrateCommand: Command = {
	name: 'migrate',
	summary: 'Re-embed every message with the new model, rebuild the indexes, switch the bot over (resumable)',
	help: `
Usage
  $ qwen3-migrate migrate [--workspace DIR] [--batch-size N] [--device auto|cpu|cuda] [--profile NAME] [--no-ui] [--yes]
  $ qwen3-migrate --migrate --batch-size=10 --strategy=regenerate      (the guide's spelling)

Phases: preflight, backup (settings.json.backup, memory.db.backup, indices.backup/), embed
(new vectors are added beside the old ones; the bot keeps serving), catch-up (messages the bot
wrote meanwhile), index (new per-channel FAISS indexes in a staging directory), verify, and
cut-over (indexes swapped, settings.json switched). Kill it at any moment and run it again: it
resumes from the last committed batch. Ctrl+C stops after the batch in flight.

Options
  ${sharedHelp.workspace}
  --strategy NAME      regenerate (re-embed from the message text). Default: from settings
  --batch-size N       Messages per model call (default: memory_system.migration.migration_batch_size)
  --device NAME        auto, cpu or cuda (default: memory_system.migration.device)
  --profile NAME       The Qwen3 profile to switch to (default: follows the current profile)
  --no-ui              Print progress lines instead of opening the dashboard
  --yes, -y            Do not ask for confirmation (required without a terminal)
  --retry-failed       Try the messages that failed again (also after a finished migration)
  --prune-old          After a finished migration: delete the old model's vectors
  --keep-backups N     Older backup sets to keep when a new run backs up again (default 2);
                       earlier runs' backups are renamed with a timestamp, older ones deleted
  ${sharedHelp.json}
  ${sharedHelp.debug}

Fault injection (tests, demos): QWEN3_MIGRATE_FAULTS="oom@size>8,fail@message=<id>"

Exit codes: 0 done (or nothing to do), 1 done with failed messages or a run error, 2 usage or
configuration error, 130 stopped by Ctrl+C (resumable).

Examples
  $ qwen3-migrate migrate --workspace /srv/pigpig --no-ui --yes
  $ qwen3-migrate migrate --batch-size 8 --device cpu
  $ qwen3-migrate --migrate --batch-size=10 --strategy=regenerate
`,
	flags: {
		...workspaceFlag,
		strategy: {type: 'string', choices: strategyNames},
		batchSize: {type: 'number'},
		device: {type: 'string', choices: deviceNames},
		profile: {type: 'string', choices: profileNames},
		ui: {type: 'boolean', default: true},
		yes: {type: 'boolean', shortFlag: 'y', default: false},
		pruneOld: {type: 'boolean', default: false},
		retryFailed: {type: 'boolean', default: false},
		keepBackups: {type: 'number'},
		...outputFlags,
	},
	async run({input, flags}, context) {
		rejectArguments(input);

		const root = path.resolve(context.cwd, flags.workspace as string);
		const json = flags.json as boolean;
		const yes = flags.yes as boolean;
		if (flags.pruneOld) {
			return runPrune(root, yes, json, context);
		}

		const migration = new Migration({
			workspace: root,
			batchSize: batchSizeFlag(flags.batchSize),
			device: flags.device as 'auto' | 'cpu' | 'cuda' | undefined,
			profile: flags.profile as ProfileName | undefined,
			strategy: flags.strategy as StrategyName | undefined,
			env: context.env,
			retryFailed: flags.retryFailed as boolean,
			keepBackups: keepBackupsFlag(flags.keepBackups),
		});
		if (flags.retryFailed) {
			migration.control.retryFailed();
		}
		if (flags.ui && context.interactive && !json) {
			// In the dashboard, without --yes, pressing s is the confirmation.
			return openDashboard({root, startImmediately: yes, readOnly: false, createMigration: () => migration}, context);
		}

		if (!yes && !(await confirm(context, `Migrate the memory in ${root} to the new model? [y/N]`, 'y', 'migrate'))) {
			context.stderr.write('Cancelled; nothing was changed.\n');
			return exitCodes.ok;
		}

		return runHeadless(migration, context, json);
	},
};

/** Runs a migration without the dashboard: progress lines, Ctrl+C to stop cleanly, a summary. */
export async function runHeadless(migration: Migration, context: CommandContext, json: boolean): Promise<number> {
	const stopPrinter = json ? () => undefined : attachProgressPrinter(migration.events, context.stdout);
	const onAbort = () => {
		context.stderr.write('\nStopping after the batch in flight (Ctrl+C again to force)...\n');
		migration.control.abort();
		process.once('SIGINT', () => process.exit(exitCodes.aborted));
	};

	context.signal.addEventListener('abort', onAbort, {once: true});
	try {
		const outcome = await migration.run();
		stopPrinter();
		context.stdout.write(json ? `${JSON.stringify(outcome, undefined, 2)}\n` : `${describeOutcome(outcome)}\n`);
		return exitCodeFor(outcome);
	} finally {
		stopPrinter();
		context.signal.removeEventListener('abort', onAbort);
	}
}
