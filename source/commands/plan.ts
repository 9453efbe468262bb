/** `qwen3-migrate plan` (the guide's `--dry-run`): what migrate would do; writes nothing. */
import path from 'node:path';
import {formatBytes} from '../engine/util/disk.js';
import {runPlan, type PlanReport} from '../engine/ops/plan.js';
import {openWorkspace} from '../engine/workspace.js';
import {formatDuration} from '../engine/util/rate.js';
import {defineCommand} from './shared/define-command.js';
import {batchSizeFlag, endpointFlags, outputFlags, rejectArguments, remoteFlagValues, workspaceFlag} from './shared/flags.js';

/** The time line: the local model's measured rate, or every endpoint's (all at once, requests in flight). */
function timeLine(plan: PlanReport): string {
	const {probe} = plan;
	if (!probe) {
		return `  time: no estimate (${plan.probeSkipped})`;
	}

	if (probe.endpoints) {
		const each = probe.endpoints.map(endpoint => `${endpoint.url} ${endpoint.textsPerSecond.toFixed(1)}/s at ${endpoint.inFlight} in flight, ${Math.round(endpoint.latencyMs)} ms a request`).join('; ');
		return `  time: about ${formatDuration(probe.estimatedSeconds)} through ${probe.device} (measured ${probe.textsPerSecond.toFixed(1)} messages/s together: ${each})`;
	}

	return `  time: about ${formatDuration(probe.estimatedSeconds)} on ${probe.device} (measured ${probe.textsPerSecond.toFixed(1)} messages/s on a sample of ${probe.texts})`;
}

function describe(plan: PlanReport): string {
	const {counts, disk} = plan;
	const lines = [
		`Plan for ${plan.workspace}${plan.resumes ? ' (resumes the migration in progress)' : ''}`,
		`  ${plan.source.model} (${plan.source.dimension}-d) -> ${plan.target.model} (${plan.target.dimension === undefined ? 'dimension measured on load' : `${plan.target.dimension}-d`})`,
		`  weights: ${plan.target.weights}`,
		`  strategy: ${plan.strategy}, batch size ${plan.batchSize}`,
		`  target set: ${counts.total} messages (${counts.done} already migrated, ${counts.remaining} to embed, ${counts.previouslyFailed} failed before); ${counts.blank} blank and ${counts.disabled} in channels with vectors off are skipped`,
		`  disk: backups ${formatBytes(disk.backupBytes)}, new vectors ${formatBytes(disk.newRowsBytes)}, new indexes ${formatBytes(disk.newIndexBytes)}; ${formatBytes(disk.neededBytes)} needed, ${formatBytes(disk.freeBytes)} free`,
		timeLine(plan),
	];
	if (plan.strategyQuality) {
		const quality = plan.strategyQuality;
		lines.push(`  ${plan.strategy} quality on a sample of ${quality.sampleSize}: recall@10 ${quality.recallAtK.toFixed(3)}, mean cosine ${quality.meanCosine.toFixed(3)}`);
	}

	lines.push(plan.risks.length === 0 ? '  risks: none found' : `  risks:\n${plan.risks.map(risk => `    - ${risk}`).join('\n')}`);
	lines.push('Nothing was written. Run `qwen3-migrate migrate` to do it.');
	return lines.join('\n');
}

export const planCommand = defineCommand({
	name: 'plan',
	summary: 'Show what migrate would do (counts, disk, a measured time estimate, risks); writes nothing',
	usage: ['qwen3-migrate plan [--workspace DIR] [--batch-size N] [--no-probe] [--endpoint URL]... [--json]', 'qwen3-migrate --dry-run                          (the guide\'s spelling)'],
	description: `
Counts (target set, blank, already migrated, previously failed), dimensions source -> target,
strategy and batch size, backup size and the disk a migration needs, a time estimate measured by
embedding a sample of real messages with the target model (when its weights are on disk), and
the risks. With embedding servers (--endpoint, or memory_system.migration.endpoints) the estimate
comes from them instead: each is probed, then all of them embed sample batches at once with
several requests in flight, and their measured rates are added up. The workspace is left
byte-for-byte as it was.`,
	flags: {
		...workspaceFlag,
		...batchSizeFlag('The batch size to plan with (default: migration.migration_batch_size)'),
		probe: {type: 'boolean', default: true, description: 'Skip the timing probe (no model load, no endpoint requests)'},
		...endpointFlags,
		...outputFlags,
	},
	notes: 'Exit codes: 0 no risks found, 1 risks found, 2 usage or configuration error.',
	examples: ['qwen3-migrate plan --workspace /srv/pigpig', 'qwen3-migrate plan --endpoint http://gpu1:8000/v1 --endpoint http://gpu2:8000/v1', 'qwen3-migrate --dry-run --json'],
	async run({input, flags}, context) {
		rejectArguments(input);

		const {batchSize} = flags;

		const plan = await runPlan(openWorkspace(path.resolve(context.cwd, flags.workspace)), {batchSize, env: context.env, probe: flags.probe, remote: remoteFlagValues(flags)});
		context.stdout.write(flags.json ? `${JSON.stringify(plan, undefined, 2)}\n` : `${describe(plan)}\n`);
		return plan.risks.length === 0 ? 0 : 1;
	},
});
