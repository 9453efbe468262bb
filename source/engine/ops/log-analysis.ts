/**
 * `logs`: the guide's log analysis over logs/qwen3_migration_*.log — the last progress lines,
 * errors and warnings grouped by signature with counts, and the performance figures (rate,
 * success rate, duration) of each run.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {matchProblem} from '../diagnosis/catalogue.js';
import {parseLogText, type LogEntry} from '../log/format.js';

export type SignatureGroup = {signature: string; problem: string | undefined; level: string; count: number; first: string; last: string; example: string};

export type RunSummary = {
	file: string;
	started: string;
	ended: string;
	durationSeconds: number;
	total: number | undefined;
	succeeded: number | undefined;
	successRate: string | undefined;
	vectorsPerSecond: number | undefined;
	lastProgress: string | undefined;
};

export type LogAnalysis = {files: string[]; progress: string[]; groups: SignatureGroup[]; runs: RunSummary[]; errors: number; warnings: number};

const logName = /^qwen3_migration_\d{8}_\d{6}\.log$/;

export function listLogFiles(logsDir: string): string[] {
	return existsSync(logsDir) ? readdirSync(logsDir).filter(name => logName.test(name)).sort().map(name => path.join(logsDir, name)) : [];
}

/** The message with its variable parts (numbers, ids, paths) replaced, so repeats group together. */
export function signatureOf(message: string): string {
	return message
		.replaceAll(/\/[\w./-]+/g, '<path>')
		.replaceAll(/\b[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}\b/gi, '<id>')
		.replaceAll(/\d+(\.\d+)?/g, 'N')
		.slice(0, 160);
}

const toSeconds = (time: string) => Date.parse(time.replace(' ', 'T')) / 1000;

function summarizeRun(file: string, entries: LogEntry[]): RunSummary | undefined {
	if (entries.length === 0) {
		return undefined;
	}

	const started = entries[0]!.time;
	const ended = entries.at(-1)!.time;
	const durationSeconds = Math.max(0, toSeconds(ended) - toSeconds(started));
	const total = Number(entries.find(entry => entry.message.startsWith('總向量數: '))?.message.slice('總向量數: '.length)) || undefined;
	const completion = entries.map(entry => /^向量遷移完成: 成功 (\d+)\/(\d+), 成功率 ([\d.]+)%/.exec(entry.message)).findLast(Boolean);
	const progress = entries.filter(entry => entry.message.startsWith('遷移進度: '));
	const succeeded = completion ? Number(completion[1]) : undefined;
	return {
		file,
		started,
		ended,
		durationSeconds,
		total,
		succeeded,
		successRate: completion?.[3],
		vectorsPerSecond: succeeded !== undefined && durationSeconds > 0 ? succeeded / durationSeconds : undefined,
		lastProgress: progress.at(-1)?.message,
	};
}

export function analyzeLogs(files: string[]): LogAnalysis {
	const groups = new Map<string, SignatureGroup>();
	const progress: string[] = [];
	const runs: RunSummary[] = [];
	let errors = 0;
	let warnings = 0;
	for (const file of files) {
		const entries = parseLogText(readFileSync(file, 'utf8'), {includePartial: true});
		const run = summarizeRun(file, entries);
		if (run) {
			runs.push(run);
		}

		for (const entry of entries) {
			if (entry.message.startsWith('遷移進度: ')) {
				progress.push(`${entry.time} ${entry.message}`);
			}

			if (entry.level !== 'ERROR' && entry.level !== 'WARNING' && entry.level !== 'CRITICAL') {
				continue;
			}

			if (entry.level === 'WARNING') {
				warnings++;
			} else {
				errors++;
			}

			const signature = signatureOf(entry.message);
			const key = `${entry.level}\u0000${signature}`;
			const group = groups.get(key);
			if (group) {
				group.count++;
				group.last = entry.time;
			} else {
				groups.set(key, {signature, problem: matchProblem(entry.message)?.id, level: entry.level, count: 1, first: entry.time, last: entry.time, example: entry.message});
			}
		}
	}

	return {files, progress: progress.slice(-10), groups: [...groups.values()].sort((a, b) => b.count - a.count), runs, errors, warnings};
}
