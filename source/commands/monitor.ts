/** `qwen3-migrate monitor`: the resource gauges over time and the guide's memory-leak check. */
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {UsageError} from '../engine/errors.js';
import {formatLogTime} from '../engine/log/format.js';
import {lockHolder} from '../engine/migration/lock.js';
import {leakThresholdBytes, ResourceSampler, systemSources, type ResourceReading} from '../engine/monitor/resources.js';
import {processRssBytes} from '../engine/ops/processes.js';
import {workspacePathsLenient} from '../engine/workspace.js';
import {formatMegabytes} from '../ui/format.js';
import {defineCommand} from './shared/define-command.js';
import {outputFlags, rejectArguments, workspaceFlag} from './shared/flags.js';

type Sample = ResourceReading & {migrationPid: number | undefined; migrationRssBytes: number | undefined};

function describe(sample: Sample, baseline: number | undefined): string {
	const cpu = sample.cpuPercent === undefined ? '—' : `${sample.cpuPercent.toFixed(0)}%`;
	const gpu = sample.gpu.available ? `GPU ${sample.gpu.utilizationPercent}% ${sample.gpu.memoryUsedMb}/${sample.gpu.memoryTotalMb} MiB` : `GPU n/a (${sample.gpu.reason})`;
	const migration =
		sample.migrationPid === undefined
			? 'no migration running'
			: `migration pid ${sample.migrationPid} RSS ${formatMegabytes(sample.migrationRssBytes)}${baseline !== undefined && sample.migrationRssBytes !== undefined ? ` (+${formatMegabytes(Math.max(0, sample.migrationRssBytes - baseline))})` : ''}`;
	return `${formatLogTime(new Date(sample.time)).slice(11)}  CPU ${cpu}  記憶體使用: ${formatMegabytes(sample.memoryUsedBytes)}/${formatMegabytes(sample.memoryTotalBytes)}  ${migration}  ${gpu}  disk free ${formatMegabytes(sample.diskFreeBytes)}`;
}

export const monitorCommand = defineCommand({
	name: 'monitor',
	summary: 'Watch CPU, RAM, the migration\'s memory (leak check), GPU and disk over time',
	usage: ['qwen3-migrate monitor [--workspace DIR] [--once] [--duration S] [--interval S] [--json]'],
	description: `
One line per interval with CPU, RAM, the running migration's RSS (found through its lock file)
and its growth, GPU (nvidia-smi) and free disk; the same samplers as the dashboard. The guide's
leak check flags the migration's RSS growing by more than 500 MB.`,
	flags: {
		...workspaceFlag,
		once: {type: 'boolean', default: false, description: 'One reading and exit'},
		duration: {type: 'number', valueName: 'S', default: 60, description: 'Seconds to watch (default 60; Ctrl+C stops early)'},
		interval: {type: 'number', valueName: 'S', default: 1, description: 'Seconds between readings (default 1)'},
		...outputFlags,
	},
	notes: 'Exit codes: 0 fine, 1 memory growth over 500 MB seen, 2 usage error.',
	examples: ['qwen3-migrate monitor --workspace /srv/pigpig --duration 600', 'qwen3-migrate monitor --once --json'],
	async run({input, flags}, context) {
		rejectArguments(input);

		const {duration, interval} = flags;
		if (!(duration > 0) || !(interval > 0)) {
			throw new UsageError('--duration and --interval must be positive numbers of seconds', 'e.g. --duration 60 --interval 1');
		}

		const root = path.resolve(context.cwd, flags.workspace);
		// Paths from settings when they load, else the PigPig default: a broken settings.json must not stop the monitor.
		const {paths} = workspacePathsLenient(root);
		const sampler = new ResourceSampler(systemSources(root));
		sampler.sample();
		const samples: Sample[] = [];
		const count = flags.once ? 1 : Math.max(1, Math.round(duration / interval));
		let baseline: {pid: number; rss: number} | undefined;
		let maxGrowth = 0;
		for (let index = 0; index < count && !context.signal.aborted; index++) {
			await sleep((flags.once ? 0.2 : interval) * 1000, undefined, {signal: context.signal}).catch(() => undefined);
			const pid = lockHolder(paths.lock)?.pid;
			const sample: Sample = {...sampler.sample(), migrationPid: pid, migrationRssBytes: pid === undefined ? undefined : processRssBytes(pid)};
			if (pid !== undefined && sample.migrationRssBytes !== undefined) {
				baseline = baseline?.pid === pid ? baseline : {pid, rss: sample.migrationRssBytes};
				maxGrowth = Math.max(maxGrowth, sample.migrationRssBytes - baseline.rss);
			}

			samples.push(sample);
			if (!flags.json) {
				context.stdout.write(`${describe(sample, baseline?.rss)}\n`);
			}
		}

		const leak = maxGrowth > leakThresholdBytes;
		if (flags.json) {
			context.stdout.write(`${JSON.stringify({samples, maxMigrationGrowthBytes: maxGrowth, leakSuspected: leak}, undefined, 2)}\n`);
		} else if (leak) {
			context.stdout.write(`⚠️ 檢測到可能的記憶體洩漏: the migration grew by ${formatMegabytes(maxGrowth)} (over 500 MB). Stop it and run migrate again: it resumes with fresh memory.\n`);
		}

		return leak ? 1 : 0;
	},
});
