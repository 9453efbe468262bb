/** `qwen3-migrate verify` (the guide's `--verify`): consistency of vectors and indexes. */
import path from 'node:path';
import {backupBeforeRepair} from '../engine/ops/repair-backup.js';
import type {ItemStatus} from '../engine/ops/report.js';
import {fixDuplicates, rebuildChannels, runVerify, type VerifyReport} from '../engine/ops/verify.js';
import {openWorkspace} from '../engine/workspace.js';
import {detectCapabilities} from '../ui/terminal.js';
import {defineCommand, type CommandContext} from './shared/define-command.js';
import {outputFlags, rejectArguments, wholeNumber, workspaceFlag, yesFlag} from './shared/flags.js';
import {confirm} from './shared/prompt.js';

const marks: Record<ItemStatus, [string, string]> = {ok: ['✅', '[ok]  '], warn: ['⚠️ ', '[warn]'], fail: ['❌', '[FAIL]']};

function printReport(report: VerifyReport, context: CommandContext): void {
	const {unicode} = detectCapabilities(context.env);
	context.stdout.write(`Verifying ${report.workspace} (active model ${report.model}${report.dimension > 0 ? `, ${report.dimension}-d` : ''})\n`);
	for (const finding of report.findings) {
		const mark = marks[finding.status][unicode ? 0 : 1];
		context.stdout.write(`${mark} ${finding.title}: ${finding.detail}\n`);
		for (const example of finding.status === 'ok' ? [] : finding.examples) {
			context.stdout.write(`     e.g. ${example}\n`);
		}

		if (finding.fix && finding.status !== 'ok') {
			context.stdout.write(`   fix: ${finding.fix}\n`);
		}
	}
}

async function repair(root: string, report: VerifyReport, yes: boolean, context: CommandContext): Promise<{duplicatesDeleted: number; channelsRebuilt: string[]; backups: string[]} | undefined> {
	const duplicates = report.findings.find(finding => finding.id === 'duplicates')?.count ?? 0;
	const channels = report.channelsToRebuild;
	if (duplicates === 0 && channels.length === 0) {
		return undefined;
	}

	const plan = [duplicates > 0 ? `delete duplicate vectors (keeping the newest) for ${duplicates} messages` : '', channels.length > 0 ? `rebuild ${channels.length} channel indexes` : ''].filter(Boolean).join(' and ');
	if (!yes && !(await confirm(context, `Back up, then ${plan}? [y/N]`, 'y', 'verify --fix'))) {
		context.stderr.write('Nothing was changed.\n');
		return undefined;
	}

	const {paths} = openWorkspace(root);
	const backups = await backupBeforeRepair(paths, 'verify-fix');
	const duplicatesDeleted = duplicates > 0 ? fixDuplicates(paths) : 0;
	if (channels.length > 0) {
		await rebuildChannels(paths, channels, report.model, report.dimension);
	}

	return {duplicatesDeleted, channelsRebuilt: channels, backups};
}

export const verifyCommand = defineCommand({
	name: 'verify',
	summary: 'Check vectors and indexes for consistency (the guide\'s SQL checks and more); --fix repairs',
	usage: ['qwen3-migrate verify [--workspace DIR] [--fix] [--yes] [--json]', 'qwen3-migrate --verify                          (the guide\'s spelling)'],
	description: `
For the model settings.json names: orphaned vectors, messages without a vector, duplicates per
(message_id, model_version), dimensions per model, blobs of the wrong length or with NaN or zero
norm, failed messages of the last migration, and for every channel's live index: vector count
against the database, mapping against index, and self-retrieval on a sample. Each finding comes
with a count and example ids. --fix offers the safe repairs (drop duplicates keeping the newest,
rebuild a channel's index) after a timestamped backup of memory.db and the indexes.`,
	flags: {
		...workspaceFlag,
		fix: {type: 'boolean', default: false, description: 'Offer the safe repairs (asks first; --yes does not ask)'},
		...yesFlag('Do not ask'),
		sample: {type: 'number', valueName: 'N', default: 20, validate: wholeNumber('--sample', 'e.g. --sample 20'), description: 'Vectors per channel checked by self-retrieval (default 20)'},
		...outputFlags,
	},
	notes: 'Exit codes: 0 consistent, 1 findings (after --fix: findings left), 2 usage or configuration error.',
	examples: ['qwen3-migrate verify --workspace /srv/pigpig', 'qwen3-migrate verify --fix --yes --json'],
	async run({input, flags}, context) {
		rejectArguments(input);

		const {sample} = flags;
		const root = path.resolve(context.cwd, flags.workspace);
		let report = await runVerify(openWorkspace(root), {samplePerChannel: sample});
		const repaired = flags.fix ? await repair(root, report, flags.yes, context) : undefined;
		if (repaired) {
			report = await runVerify(openWorkspace(root), {samplePerChannel: sample});
		}

		if (flags.json) {
			context.stdout.write(`${JSON.stringify({...report, repaired}, undefined, 2)}\n`);
		} else {
			printReport(report, context);
			if (repaired) {
				context.stdout.write(`Repaired: ${repaired.duplicatesDeleted} duplicate rows deleted, ${repaired.channelsRebuilt.length} indexes rebuilt; backups: ${repaired.backups.join(', ')}\n`);
			}

			context.stdout.write(report.ok ? 'Consistent.\n' : 'Findings above.\n');
		}

		return report.ok ? 0 : 1;
	},
});
