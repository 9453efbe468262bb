/**
 * The fault matrix: kill -9 at random points of every phase (backup, embed, catch-up, index,
 * verify, cut-over, rollback, prune), and a full disk (ENOSPC, through the QWEN3_MIGRATE_FAULTS
 * seam) in every writer (SQLite, the FAISS write, the backups, the run log), while a bot writer
 * adds messages; then the same command again (space freed), then the invariants: no message lost, no old vector lost, no duplicate
 * (message_id, model_version) row, every index loads in Python, rollback byte-exact.
 * `node .build/test/faults/matrix.js [--long] [--seed N] [--per-fault N] [--only backup,enospc:log]`
 * runs it on its own and prints the counts;
 * matrix.test.ts runs the short variant in `npm test`.
 */
import {spawn} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {killPointVariable, killPoints} from '../../source/engine/util/kill-points.js';
import {createRandom} from '../../source/engine/util/random.js';
import type {WorkspacePaths} from '../../source/engine/workspace.js';
import {cliPath} from '../helpers/cli.js';
import {checkIndexesWithPython} from '../helpers/python.js';
import {demoWorkspace, integrityCheck, targetMessageIds} from '../helpers/workspace.js';
import {workspaceState} from './workspace-state.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const botWriter = path.resolve(here, '../helpers/bot-writer.js');
const targetModel = 'Qwen/Qwen3-Embedding-0.6B';

export const matrixPhases = ['backup', 'embed', 'catchup', 'index', 'verify', 'cutover', 'rollback', 'prune'] as const;
export type MatrixPhase = (typeof matrixPhases)[number];

/**
 * The short variant (in `npm test`, about a minute): the phases that durability.test.ts does not
 * already kill at (it covers embed, catch-up, index, verify and cut-over starts), one trial each.
 */
export const shortMatrixPhases: readonly MatrixPhase[] = ['backup', 'verify', 'cutover', 'rollback', 'prune'];

/** The writers a full disk is injected into, and the QWEN3_MIGRATE_FAULTS rule that does it (N drawn per trial). */
export const matrixWriters = ['sqlite', 'faiss', 'backup', 'log'] as const;
export type MatrixWriter = (typeof matrixWriters)[number];

function enospcRule(writer: MatrixWriter, random: () => number): string {
	const draw = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
	switch (writer) {
		case 'sqlite': {
			return `enospc@commit=${draw(1, 40)}`;
		}

		case 'faiss': {
			// Counted per index job (each runs in a fresh worker), and the demo has 2 vector-enabled channels.
			return `enospc@index=${draw(1, 2)}`;
		}

		case 'backup': {
			return `enospc@backup=${draw(1, 3)}`;
		}

		case 'log': {
			return `enospc@log=${draw(1, 30)}`;
		}
	}
}

/**
 * The short variant's full-disk trials: the backup and log writers. SQLite and the FAISS write are
 * in `npm test` through enospc.test.ts (every writer there); all four are in --long.
 */
export const shortMatrixWriters: readonly MatrixWriter[] = ['backup', 'log'];

export type MatrixCounts = {trials: number; faults: number; diskFullStops: number; rowsLost: number; oldVectorsLost: number; duplicates: number; unreadableIndexes: number; rollbackMismatches: number; problems: string[]};

type Child = {code: number | null; signal: string | null; output: string};

/** Runs the CLI; kills it `delayMs` after its output first names `[phase]` (or never, without a phase). */
async function runCli(arguments_: string[], kill: {phase?: string; delayMs?: number; point?: string; faults?: string} = {}): Promise<Child> {
	const child = spawn(process.execPath, [cliPath, ...arguments_], {
		env: {...process.env, NO_COLOR: '1', QWEN3_MIGRATE_FAULTS: kill.faults ?? '', [killPointVariable]: kill.point ?? ''},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	let armed = false;
	const arm = () => {
		if (!armed) {
			armed = true;
			setTimeout(() => child.kill('SIGKILL'), kill.delayMs ?? 0);
		}
	};

	child.stdout.on('data', (chunk: Buffer) => {
		output += chunk.toString();
		if (kill.phase && output.includes(`[${kill.phase}]`)) {
			arm();
		}
	});
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	if (kill.phase === '*') {
		arm();
	}

	return new Promise(resolve => child.on('exit', (code, signal) => resolve({code, signal, output})));
}

function startWriter(paths: WorkspacePaths, count: number): Promise<number> {
	const writer = spawn(process.execPath, [botWriter, paths.database, String(count), '25'], {stdio: 'ignore'});
	return new Promise(resolve => writer.on('exit', code => resolve(code ?? -1)));
}

function scalar(databaseFile: string, sql: string, ...parameters: unknown[]): number {
	const db = new Database(databaseFile, {readonly: true});
	try {
		return (db.prepare(sql).get(...parameters) as {n: number}).n;
	} finally {
		db.close();
	}
}

const migrate = (paths: WorkspacePaths) => ['migrate', '--workspace', paths.root, '--no-ui', '--yes', '--batch-size', '8'];
const rollback = (paths: WorkspacePaths) => ['rollback', '--workspace', paths.root, '--yes'];
const prune = (paths: WorkspacePaths) => ['migrate', '--workspace', paths.root, '--no-ui', '--yes', '--prune-old'];

type Fault = {kind: 'kill'; phase: MatrixPhase} | {kind: 'enospc'; writer: MatrixWriter};

const faultName = (fault: Fault) => (fault.kind === 'kill' ? fault.phase : `enospc:${fault.writer}`);

/** The first command of a trial, with its fault: kill -9 at a point of the phase, or a full disk in the writer. */
async function faultedRun(fault: Fault, paths: WorkspacePaths, random: () => number): Promise<Child> {
	if (fault.kind === 'enospc') {
		return runCli(migrate(paths), {faults: enospcRule(fault.writer, random)});
	}

	const {phase} = fault;
	const delayMs = Math.round(random() * 120);
	if (phase === 'cutover') {
		const points = killPoints.filter(point => point.startsWith('cutover:'));
		return runCli(migrate(paths), {point: points[Math.floor(random() * points.length)]});
	}

	if (phase === 'rollback' || phase === 'prune') {
		await runCli(migrate(paths));
		if (phase === 'rollback') {
			const points = killPoints.filter(point => point.startsWith('rollback:'));
			return runCli(rollback(paths), {point: points[Math.floor(random() * points.length)]});
		}

		return runCli(prune(paths), {phase: '*', delayMs: 150 + delayMs * 4});
	}

	return runCli(migrate(paths), {phase, delayMs});
}

/** Whether the fault landed: the kill before the command ended, or the clean disk-full stop (exit 1, the one line). */
function faultLanded(fault: Fault, run: Child, problem: (text: string) => void): boolean {
	if (fault.kind === 'kill') {
		return run.signal === 'SIGKILL';
	}

	const stop = /disk full on \/\S*: need about \d+(\.\d)? [KMG]?B more/.test(run.output) && run.code === 1;
	// A rule drawn past the run's last commit or log line may never fire: then the run simply finishes.
	if (!stop && run.code !== 0) {
		problem(`expected a clean disk-full stop (exit 1), got exit ${run.code ?? run.signal}: ${run.output.slice(-300)}`);
	}

	if (stop && /\n\s+at |SIGABRT|core dumped/.test(run.output)) {
		problem('a stack trace or a native crash in the disk-full stop');
	}

	return stop;
}

/** One trial; counts whether the fault landed, and adds any broken invariant to `counts`. */
async function trial(fault: Fault, random: () => number, counts: MatrixCounts): Promise<void> {
	const phase = fault.kind === 'kill' ? fault.phase : 'embed';
	const paths = await demoWorkspace({messages: 600, channels: 3});
	const original = workspaceState(paths);
	const messagesBefore = scalar(paths.database, 'SELECT COUNT(*) AS n FROM messages');
	const oldBefore = scalar(paths.database, 'SELECT COUNT(*) AS n FROM embeddings WHERE model_version <> ?', targetModel);
	const written = 60;
	const writer = startWriter(paths, written);
	const killed = await faultedRun(fault, paths, random);
	counts.trials++;
	const problem = (text: string) => counts.problems.push(`${faultName(fault)} (${killed.signal ?? `exit ${killed.code}`}): ${text}`);
	if (faultLanded(fault, killed, problem)) {
		counts.faults++;
		if (fault.kind === 'enospc') {
			counts.diskFullStops++;
		}
	}

	const command = phase === 'rollback' ? rollback(paths) : phase === 'prune' ? prune(paths) : migrate(paths);
	const rerun = await runCli(command);
	if (rerun.code !== 0 && !(phase === 'rollback' && /no migration to roll back/.test(rerun.output))) {
		problem(`rerun exit ${rerun.code}: ${rerun.output.slice(-300)}`);
	}

	await writer;
	if (integrityCheck(paths.database) !== 'ok') {
		problem('integrity_check failed');
	}

	const messages = scalar(paths.database, 'SELECT COUNT(*) AS n FROM messages');
	counts.rowsLost += Math.max(0, messagesBefore + written - messages);
	if (phase !== 'prune') {
		const old = scalar(paths.database, 'SELECT COUNT(*) AS n FROM embeddings WHERE model_version <> ?', targetModel);
		counts.oldVectorsLost += Math.max(0, oldBefore + written - old);
	}

	counts.duplicates += scalar(paths.database, 'SELECT COUNT(*) - COUNT(DISTINCT message_id || char(0) || model_version) AS n FROM embeddings');
	if (phase !== 'rollback') {
		// The bot restarted: a last migrate embeds what it wrote after the switch.
		await runCli(migrate(paths));
		const missing = targetMessageIds(paths.database).length - scalar(paths.database, 'SELECT COUNT(DISTINCT message_id) AS n FROM embeddings WHERE model_version = ?', targetModel);
		if (missing !== 0) {
			problem(`${missing} target messages without a new vector`);
		}
	}

	for (const channel of checkIndexesWithPython(paths.indices)) {
		if (channel.problems.length > 0) {
			counts.unreadableIndexes++;
			problem(`index ${channel.channel}: ${channel.problems.join('; ')}`);
		}
	}

	if (phase !== 'rollback') {
		await runCli(rollback(paths));
	}

	const after = workspaceState(paths);
	if (after.settings !== original.settings || JSON.stringify(after.indices) !== JSON.stringify(original.indices) || after.ourTables.length > 0) {
		counts.rollbackMismatches++;
		problem('rollback is not byte-exact');
	}
}

export async function runFaultMatrix(options: {long?: boolean; seed?: number; perFault?: number; only?: string[]; log?: (line: string) => void} = {}): Promise<MatrixCounts> {
	const random = createRandom(options.seed ?? 20_261_203);
	const perFault = options.long ? (options.perFault ?? 6) : 1;
	const faults: Fault[] = [
		...(options.long ? matrixPhases : shortMatrixPhases).map(phase => ({kind: 'kill', phase}) as const),
		...(options.long ? matrixWriters : shortMatrixWriters).map(writer => ({kind: 'enospc', writer}) as const),
	].filter(fault => !options.only || options.only.includes(faultName(fault)));
	const counts: MatrixCounts = {trials: 0, faults: 0, diskFullStops: 0, rowsLost: 0, oldVectorsLost: 0, duplicates: 0, unreadableIndexes: 0, rollbackMismatches: 0, problems: []};
	for (const fault of faults) {
		for (let index = 0; index < perFault; index++) {
			await trial(fault, () => random.next(), counts);
			options.log?.(`${faultName(fault)} #${index + 1}: trials ${counts.trials}, faults ${counts.faults}, problems ${counts.problems.length}`);
		}
	}

	return counts;
}

export function formatCounts(counts: MatrixCounts): string {
	return `fault matrix: trials ${counts.trials}, faults landed ${counts.faults} (kill -9 ${counts.faults - counts.diskFullStops}, disk-full stops ${counts.diskFullStops}), messages lost ${counts.rowsLost}, old vectors lost ${counts.oldVectorsLost}, duplicate rows ${counts.duplicates}, unreadable indexes ${counts.unreadableIndexes}, rollback mismatches ${counts.rollbackMismatches}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	const seedIndex = process.argv.indexOf('--seed');
	const perFaultIndex = process.argv.indexOf('--per-fault');
	const onlyIndex = process.argv.indexOf('--only');
	const counts = await runFaultMatrix({
		long: process.argv.includes('--long'),
		seed: seedIndex > 0 ? Number(process.argv[seedIndex + 1]) : undefined,
		perFault: perFaultIndex > 0 ? Number(process.argv[perFaultIndex + 1]) : undefined,
		only: onlyIndex > 0 ? process.argv[onlyIndex + 1]!.split(',') : undefined,
		log: line => console.log(line),
	});
	console.log(formatCounts(counts));
	for (const problem of counts.problems) {
		console.log(`  ${problem}`);
	}

	process.exitCode = counts.problems.length === 0 ? 0 : 1;
}
