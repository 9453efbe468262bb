/** `qwen3-migrate logs`: the guide's log analysis, and --follow to tail the current log. */
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {formatLogLine} from '../engine/log/format.js';
import {LogFollower} from '../engine/log/follow.js';
import {analyzeLogs, listLogFiles, type LogAnalysis} from '../engine/ops/log-analysis.js';
import {workspacePathsLenient} from '../engine/workspace.js';
import {formatDuration} from '../engine/util/rate.js';
import {defineCommand} from './shared/define-command.js';
import {outputFlags, rejectArguments, workspaceFlag} from './shared/flags.js';

function describe(analysis: LogAnalysis): string {
	const lines = [`=== 遷移進度分析 (progress; ${analysis.files.length} log files) ===`, ...(analysis.progress.length > 0 ? analysis.progress : ['(none)'])];
	lines.push('', `=== 錯誤與警告 (errors ${analysis.errors}, warnings ${analysis.warnings}, grouped) ===`);
	for (const group of analysis.groups.slice(0, 20)) {
		lines.push(`${String(group.count).padStart(5)} × ${group.level.padEnd(7)} ${group.example}${group.problem ? `  [${group.problem}]` : ''}`, `        first ${group.first}, last ${group.last}`);
	}

	if (analysis.groups.length === 0) {
		lines.push('(none)');
	}

	lines.push('', '=== 效能統計 (performance) ===');
	for (const run of analysis.runs.slice(-5)) {
		const result = run.succeeded === undefined ? `stopped at ${run.lastProgress ?? 'the start'}` : `成功 ${run.succeeded}/${run.total ?? '?'}, 成功率 ${run.successRate}%`;
		const rate = run.vectorsPerSecond === undefined ? '' : `, ${run.vectorsPerSecond.toFixed(1)} vectors/s`;
		lines.push(`${path.basename(run.file)}: ${result}, ${formatDuration(run.durationSeconds)}${rate}`);
	}

	if (analysis.runs.length === 0) {
		lines.push('(no runs)');
	}

	return lines.join('\n');
}

export const logsCommand = defineCommand({
	name: 'logs',
	summary: 'Analyse the migration logs: progress, errors grouped by signature, performance; --follow tails',
	usage: ['qwen3-migrate logs [--workspace DIR] [--follow] [--json]'],
	description: `
The guide's log analysis over logs/qwen3_migration_*.log: the last progress lines (遷移進度),
errors and warnings grouped by signature (numbers and paths folded) with counts, first and last
time and the guide's name for the problem, and per run the result, success rate, duration and
rate. --follow prints new lines of the newest log as they are written, until Ctrl+C.`,
	flags: {...workspaceFlag, follow: {type: 'boolean', short: 'f', default: false, description: 'Tail the newest log file'}, ...outputFlags},
	notes: 'Exit codes: 0 no errors in the logs, 1 errors found, 2 usage error.',
	examples: ['qwen3-migrate logs --workspace /srv/pigpig', 'qwen3-migrate logs --follow'],
	async run({input, flags}, context) {
		rejectArguments(input);

		const root = path.resolve(context.cwd, flags.workspace);
		const logsDir = workspacePathsLenient(root).paths.logs;
		if (flags.follow) {
			const follower = new LogFollower(logsDir, false);
			context.stderr.write(`Following ${logsDir} (Ctrl+C to stop)...\n`);
			while (!context.signal.aborted) {
				for (const entry of follower.poll().entries) {
					context.stdout.write(`${formatLogLine(entry)}\n`);
				}

				await sleep(500, undefined, {signal: context.signal}).catch(() => undefined);
			}

			return 0;
		}

		const analysis = analyzeLogs(listLogFiles(logsDir));
		context.stdout.write(flags.json ? `${JSON.stringify(analysis, undefined, 2)}\n` : `${describe(analysis)}\n`);
		return analysis.errors > 0 ? 1 : 0;
	},
});
