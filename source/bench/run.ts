/* eslint-disable max-lines -- a list of independent bench sections (one per `--only=` run), each read top to bottom */
/**
 * `npm run bench`: the engine's speed and memory figures for the README.
 *
 * Over 300 lines on purpose: it is a list of independent sections (one per `--only=` run), each
 * read top to bottom; the children it spawns and the realsize/endpoints runs live in their own files.
 *
 * 1. Throughput: a compute-heavy generated model (≥ 20M multiply-adds per token, so inference
 *    dominates as with the real Qwen3). Raw inference (texts/s through the same Embedder, same
 *    batch size, same texts, one batch after another) against the full migration's embed phase.
 * 2. Memory: peak RSS of migrating 10,000 and 100,000 messages (demo models, 768 → 1024).
 * 3. Event-loop delay: the worst seen during those runs, each watched whole (opening the database
 *    and loading the model included), with the phase it happened in (the dashboard needs < 100 ms);
 *    and while a tokenizer of Qwen3's size loads (the demo models' tokenizers are tiny).
 *
 * 4. The dashboard's cost: throughput with the dashboard open vs --no-ui; CPU while paused.
 * 5. Batching: the full migration against a naive loop (table order, fixed batches, no reuse) on
 *    a chat-like corpus (Zipf repeats, 80% short / 20% long) and on one with no duplicates and
 *    uniform lengths; the model's throughput by onnxruntime thread count; and the migration by
 *    migration.max_batch_tokens (2048 … 16384) on the chat-like corpus.
 *
 * Flags: --quick (smaller sizes, for a smoke test), --keep (leave the workspaces),
 * --only=throughput|memory|dashboard|batching (one part; the report then lacks the others),
 * --only=realsize (the full-size Qwen3 stand-in: realsize.ts).
 */
import {spawn, spawnSync} from 'node:child_process';
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {createDemoWorkspace} from '../demo/create-workspace.js';
import {rollbackMigration} from '../engine/migration/rollback.js';
import {updateSettings} from '../engine/settings/write.js';
import {rollbackWorkspacePaths, workspacePaths} from '../engine/workspace.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find(argument => argument.startsWith('--only='))?.slice('--only='.length);
const wanted = (part: string) => only === undefined || only === part;
const keep = process.argv.includes('--keep');
if (only === 'realsize') {
	// The full-size Qwen3 stand-in: its own script, its own figures (realsize.ts).
	const {runRealsizeBench} = await import('./realsize.js');
	await runRealsizeBench();
	process.exit(0);
}

const batchSize = 32;
const heavy = {hidden: 1024, layers: 20, dimension: 1024};
const heavyMessages = quick ? 300 : 1500;
const rssSizes = quick ? [2000, 20_000] : [10_000, 100_000];

const here = path.dirname(fileURLToPath(import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'qwen3-bench-'));

function log(message: string): void {
	process.stderr.write(`${message}\n`);
}

type ChildResult = {
	status: string;
	embedded: number;
	seconds: number;
	textsPerSecond: number;
	maxRssMb: number;
	maxEventLoopDelayMs: number;
	p99EventLoopDelayMs: number;
	/** The migration phase (or `start`: opening the database, loading the model) of the worst delay. */
	worstDelayPhase: string;
	pausedCpuPercent?: number;
	renderedBytes?: number;
	modelBusy: number;
};

/**
 * A control for the event-loop figures: an idle Node process beside the migration, measuring its
 * own event-loop delay the same way. What it sees is the machine's scheduling (other threads and
 * processes on few cores), not blocking code.
 */
const probeSource = `
const {monitorEventLoopDelay} = require('node:perf_hooks');
const histogram = monitorEventLoopDelay({resolution: 10});
histogram.enable();
setInterval(() => undefined, 1000);
process.on('SIGTERM', () => {
	process.stdout.write(JSON.stringify({maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6}));
	process.exit(0);
});
process.stdout.write('ready\\n');`;

type ProbeResult = {maxMs: number; p99Ms: number};

async function withIdleProbe<T>(run: () => T): Promise<{result: T; probe: ProbeResult}> {
	const probe = spawn(process.execPath, ['-e', probeSource], {stdio: ['ignore', 'pipe', 'inherit']});
	let output = '';
	probe.stdout.setEncoding('utf8');
	const closed = new Promise<void>(resolve => probe.on('close', () => resolve()));
	await new Promise<void>(resolve => {
		probe.stdout.on('data', (chunk: string) => {
			output += chunk;
			if (output.includes('ready\n')) {
				resolve();
			}
		});
	});
	const result = run();
	probe.kill('SIGTERM');
	await closed;
	return {result, probe: JSON.parse(output.slice(output.indexOf('ready\n') + 6)) as ProbeResult};
}

function migrateInChild(root: string, mode?: '--dashboard' | '--paused-cpu' | '--paused-cpu-engine'): ChildResult {
	return runChild<ChildResult>('migrate-child.js', root, mode);
}

type RawResult = {texts: number; seconds: number; textsPerSecond: number; modelOnlyTextsPerSecond: number};

/** Runs a bench child script with these arguments and parses the JSON line it ends with. */
function runScript<T>(script: string, arguments_: Array<string | undefined>): T {
	// As the CLI runs (source/cli.ts): React's production build.
	const result = spawnSync(process.execPath, [path.join(here, script), ...arguments_.filter((value): value is string => value !== undefined)], {
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		env: {...process.env, NODE_ENV: 'production'},
	});
	if (result.status !== 0) {
		throw new Error(`${script} failed: ${result.stderr}`);
	}

	return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as T;
}

/** A child that works on a workspace at the bench's batch size. */
function runChild<T>(script: string, root: string, ...extra: Array<string | undefined>): T {
	return runScript<T>(script, [root, String(batchSize), ...extra]);
}

/**
 * Raw throughput is measured before and after the migration, each in a fresh process like the
 * migration itself, and averaged: on a shared machine the speed drifts over a minute.
 */
async function throughput() {
	const root = path.join(scratch, 'heavy');
	log(`[bench] heavy model: ${heavy.layers} layers × ${heavy.hidden}² ≈ ${((heavy.layers * heavy.hidden ** 2 + heavy.hidden * heavy.dimension) / 1e6).toFixed(1)}M multiply-adds per token; ${heavyMessages} messages`);
	await createDemoWorkspace(root, {messages: heavyMessages, channels: 4, sourceDimension: 64, targetDimension: heavy.dimension, targetHidden: heavy.hidden, targetLayers: heavy.layers});
	log('[bench] raw inference (before)...');
	const before = runChild<RawResult>('raw-child.js', root);
	log('[bench] migration over the same texts...');
	const migration = migrateInChild(root);
	log('[bench] raw inference (after)...');
	const after = runChild<RawResult>('raw-child.js', root);
	const raw = {
		texts: before.texts,
		textsPerSecond: (before.textsPerSecond + after.textsPerSecond) / 2,
		modelOnlyTextsPerSecond: (before.modelOnlyTextsPerSecond + after.modelOnlyTextsPerSecond) / 2,
		runs: [before, after],
	};
	return {texts: raw.texts, raw, migration, ratio: migration.textsPerSecond / raw.textsPerSecond};
}

/** Qwen3's tokenizer: 151,643 tokens, 151,387 merges (its tokenizer.json is ~11 MB). */
const qwen3Merges = 151_387;

/**
 * Grows a generated byte-level BPE tokenizer.json to Qwen3's number of merges with made-up merges
 * (a token plus one more character), so that loading it costs what loading the real one does.
 */
function inflateTokenizer(file: string, merges: number): number {
	type BpeModel = {vocab: Record<string, number>; merges: string[]};
	const json = JSON.parse(readFileSync(file, 'utf8')) as {model: BpeModel};
	const {vocab, merges: list} = json.model;
	const tokens = Object.keys(vocab).filter(token => !token.startsWith('<|'));
	const characters = tokens.filter(token => [...token].length === 1);
	let next = Math.max(...Object.values(vocab)) + 1;
	let seed = 1;
	const pick = (count: number) => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return seed % count;
	};

	while (list.length < merges) {
		const left = tokens[pick(tokens.length)]!;
		const merged = left + characters[pick(characters.length)]!;
		if (vocab[merged] === undefined && [...merged].length <= 12) {
			vocab[merged] = next++;
			tokens.push(merged);
			list.push(`${left} ${merged.slice(left.length)}`);
		}
	}

	const text = JSON.stringify(json, undefined, 2);
	writeFileSync(file, text);
	return text.length;
}

type TokenizerLoad = {loadMs: number; maxEventLoopDelayMs: number};

/**
 * The event loop while a Qwen3-sized tokenizer loads: as the engine loads it (in a worker thread)
 * and, for contrast, on the main thread (best of two runs each).
 */
async function tokenizerLoad() {
	const directory = path.join(scratch, 'qwen3-sized-tokenizer');
	await createDemoWorkspace(path.join(scratch, 'tokenizer-ws'), {messages: 200, channels: 1});
	cpSync(path.join(scratch, 'tokenizer-ws', 'models', 'Qwen3-Embedding-0.6B-tiny'), directory, {recursive: true});
	const bytes = inflateTokenizer(path.join(directory, 'tokenizer.json'), qwen3Merges);
	log(`[bench] loading a Qwen3-sized tokenizer (${(bytes / 1e6).toFixed(1)} MB)...`);
	const best = (runs: TokenizerLoad[]) => runs.reduce((a, b) => (a.maxEventLoopDelayMs <= b.maxEventLoopDelayMs ? a : b));
	const load = (mode?: string) => best([0, 1].map(() => runScript<TokenizerLoad>('tokenizer-child.js', [directory, mode])));
	return {bytes, engine: load(), mainThread: load('--main-thread')};
}

async function memory() {
	const results: Array<{messages: number; idleProbe: ProbeResult} & ChildResult> = [];
	for (const messages of rssSizes) {
		const root = path.join(scratch, `rss-${messages}`);
		log(`[bench] demo workspace with ${messages} messages...`);
		await createDemoWorkspace(root, {messages, channels: 20});
		log(`[bench] migrating ${messages} messages...`);
		const {result, probe} = await withIdleProbe(() => migrateInChild(root));
		results.push({messages, ...result, idleProbe: probe});
	}

	return results;
}

/**
 * The dashboard's cost: the same migration with the dashboard rendering into an in-memory
 * terminal vs --no-ui, on the larger workspace so that the steady state dominates (three runs
 * each, alternating, best of each: on a shared machine a run is only ever slowed by others); and
 * the process's CPU use while the migration is paused, with the dashboard open and without it
 * (the difference is what the dashboard costs).
 */
async function dashboardCost() {
	const root = path.join(scratch, `rss-${rssSizes.at(-1)!}`);
	const runs: {plain: ChildResult[]; dashboard: ChildResult[]} = {plain: [], dashboard: []};
	for (let round = 0; round < 3; round++) {
		for (const mode of ['plain', 'dashboard'] as const) {
			await rollbackMigration(rollbackWorkspacePaths(root));
			log(`[bench] migration with ${mode === 'plain' ? '--no-ui' : 'the dashboard'} (round ${round + 1})...`);
			runs[mode].push(migrateInChild(root, mode === 'dashboard' ? '--dashboard' : undefined));
		}
	}

	const paused: Record<'dashboard' | 'engine', number> = {dashboard: Number.NaN, engine: Number.NaN};
	for (const mode of ['dashboard', 'engine'] as const) {
		await rollbackMigration(rollbackWorkspacePaths(root));
		log(`[bench] CPU while paused${mode === 'dashboard' ? ' with the dashboard open' : ', no dashboard'} (10 s)...`);
		paused[mode] = migrateInChild(root, mode === 'dashboard' ? '--paused-cpu' : '--paused-cpu-engine').pausedCpuPercent ?? Number.NaN;
	}

	const best = (list: ChildResult[]) => Math.max(...list.map(run => run.textsPerSecond));
	return {plain: best(runs.plain), dashboard: best(runs.dashboard), ratio: best(runs.dashboard) / best(runs.plain), pausedCpuPercent: paused.dashboard, pausedEngineCpuPercent: paused.engine, runs};
}

async function batching() {
	const medium = {hidden: 512, layers: 4};
	const messages = quick ? 600 : 3000;
	const corpora: Record<string, {naive: RawResult; migration: ChildResult; ratio: number}> = {};
	for (const corpus of ['zipf', 'uniform'] as const) {
		const root = path.join(scratch, `batching-${corpus}`);
		log(`[bench] ${corpus} corpus, ${messages} messages...`);
		await createDemoWorkspace(root, {messages, channels: 4, sourceDimension: 64, targetDimension: 1024, targetHidden: medium.hidden, targetLayers: medium.layers, corpus});
		const naiveRoot = `${root}-naive`;
		cpSync(root, naiveRoot, {recursive: true});
		log(`[bench]   naive loop...`);
		const naive = runChild<RawResult>('naive-child.js', naiveRoot);
		log(`[bench]   migration...`);
		const migration = migrateInChild(root);
		corpora[corpus] = {naive, migration, ratio: migration.textsPerSecond / naive.textsPerSecond};
	}

	const threads: Array<{threads: number; textsPerSecond: number}> = [];
	for (const count of [...new Set([1, 2, os.cpus().length])]) {
		log(`[bench] model throughput with ${count} onnxruntime thread(s)...`);
		const result = runChild<RawResult>('raw-child.js', path.join(scratch, 'batching-zipf-naive'), String(count));
		threads.push({threads: count, textsPerSecond: result.modelOnlyTextsPerSecond});
	}

	// migration.max_batch_tokens on the Zipf workspace: the median of three runs per value (one with
	// --quick). A rollback restores the settings, so the value is set again before each run.
	const zipfRoot = path.join(scratch, 'batching-zipf');
	const tokenBudgets: Array<{maxBatchTokens: number; textsPerSecond: number}> = [];
	for (const maxBatchTokens of [2048, 4096, 8192, 16_384]) {
		log(`[bench] max_batch_tokens ${maxBatchTokens}...`);
		const rates: number[] = [];
		for (let round = 0; round < (quick ? 1 : 3); round++) {
			await rollbackMigration(rollbackWorkspacePaths(zipfRoot));
			updateSettings(workspacePaths(zipfRoot).settings, {memory_system: {migration: {max_batch_tokens: maxBatchTokens}}});
			rates.push(migrateInChild(zipfRoot).textsPerSecond);
		}

		rates.sort((a, b) => a - b);
		tokenBudgets.push({maxBatchTokens, textsPerSecond: rates[Math.floor(rates.length / 2)]!});
	}

	return {corpora, threads, tokenBudgets};
}

const started = Date.now();
const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
try {
	const speed = wanted('throughput') ? await throughput() : undefined;
	const rss = wanted('memory') || wanted('dashboard') ? await memory() : undefined;
	const tokenizer = wanted('memory') ? await tokenizerLoad() : undefined;
	const dashboard = wanted('dashboard') ? await dashboardCost() : undefined;
	const batched = wanted('batching') ? await batching() : undefined;
	const delays = [speed?.migration.maxEventLoopDelayMs, ...(rss ?? []).map(run => run.maxEventLoopDelayMs), tokenizer?.engine.maxEventLoopDelayMs].filter((value): value is number => value !== undefined);
	const worstDelay = delays.length > 0 ? Math.max(...delays) : undefined;
	const rssRatio = rss ? rss[1]!.maxRssMb / rss[0]!.maxRssMb : undefined;
	const report = {
		date: new Date().toISOString(),
		machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
		quick,
		only,
		batchSize,
		throughput: speed,
		memory: rss,
		rssRatio,
		maxEventLoopDelayMs: worstDelay,
		tokenizerLoad: tokenizer,
		dashboard,
		batching: batched,
	};
	mkdirSync('bench-results', {recursive: true});
	writeFileSync(path.join('bench-results', only ? `latest-${only}.json` : 'latest.json'), `${JSON.stringify(report, undefined, 2)}\n`);
	console.log(`Benchmark (${report.machine}), batch ${batchSize}${quick ? ', --quick' : ''}:`);
	if (speed) {
		console.log(`  raw inference      ${speed.raw.textsPerSecond.toFixed(1)} texts/s (${speed.texts} texts, heavy model; model alone on pre-tokenised batches: ${speed.raw.modelOnlyTextsPerSecond.toFixed(1)})`);
		console.log(`  migration (embed)  ${speed.migration.textsPerSecond.toFixed(1)} texts/s`);
		console.log(`  ratio              ${(speed.ratio * 100).toFixed(1)}% of raw (target ≥ 95%)  ${pass(speed.ratio >= 0.95)}`);
		console.log(`  model busy         ${(speed.migration.modelBusy * 100).toFixed(1)}% of the embed phase (reuse and bucketing also cut the model's work)`);
	}

	for (const run of rss ?? []) {
		console.log(`  peak RSS ${String(run.messages).padStart(7)} msgs ${run.maxRssMb.toFixed(0)} MB (${run.textsPerSecond.toFixed(0)} texts/s)`);
	}

	if (rssRatio !== undefined) {
		console.log(`  RSS ratio          ${rssRatio.toFixed(2)} (target ≤ 1.5)  ${pass(rssRatio <= 1.5)}`);
	}

	if (worstDelay !== undefined) {
		console.log(`  max event-loop delay ${worstDelay.toFixed(1)} ms (target ≤ 100 ms)  ${pass(worstDelay <= 100)}`);
	}

	if (speed) {
		const {migration} = speed;
		console.log(`    heavy model: max ${migration.maxEventLoopDelayMs.toFixed(1)} ms (${migration.worstDelayPhase}), p99 ${migration.p99EventLoopDelayMs.toFixed(1)} ms`);
	}

	for (const run of rss ?? []) {
		console.log(`    ${String(run.messages).padStart(7)} msgs: max ${run.maxEventLoopDelayMs.toFixed(1)} ms (${run.worstDelayPhase}), p99 ${run.p99EventLoopDelayMs.toFixed(1)} ms; an idle Node process beside it: max ${run.idleProbe.maxMs.toFixed(1)} ms, p99 ${run.idleProbe.p99Ms.toFixed(1)} ms`);
	}

	if (tokenizer) {
		const {engine, mainThread} = tokenizer;
		console.log(`    Qwen3-sized tokenizer load (${(tokenizer.bytes / 1e6).toFixed(1)} MB, ${engine.loadMs.toFixed(0)} ms): max ${engine.maxEventLoopDelayMs.toFixed(1)} ms; loaded on the main thread instead: ${mainThread.maxEventLoopDelayMs.toFixed(1)} ms`);
	}

	if (dashboard) {
		const pausedDashboard = dashboard.pausedCpuPercent - dashboard.pausedEngineCpuPercent;
		console.log(`  dashboard open     ${dashboard.dashboard.toFixed(0)} vs ${dashboard.plain.toFixed(0)} texts/s with --no-ui: ${(dashboard.ratio * 100).toFixed(1)}% (target ≥ 95%)  ${pass(dashboard.ratio >= 0.95)}`);
		console.log(`  paused, dashboard  ${pausedDashboard.toFixed(2)}% of a core (process ${dashboard.pausedCpuPercent.toFixed(2)}% − paused engine alone ${dashboard.pausedEngineCpuPercent.toFixed(2)}%; target < 3%)  ${pass(pausedDashboard < 3)}`);
	}

	if (batched) {
		for (const [corpus, result] of Object.entries(batched.corpora)) {
			const target = corpus === 'zipf' ? 1.5 : 1;
			console.log(`  ${corpus.padEnd(8)} corpus   migration ${result.migration.textsPerSecond.toFixed(1)} vs naive ${result.naive.textsPerSecond.toFixed(1)} texts/s: ${result.ratio.toFixed(2)}× (target ≥ ${target}×)  ${pass(result.ratio >= target)}`);
		}

		console.log(`  threads            ${batched.threads.map(entry => `${entry.threads}: ${entry.textsPerSecond.toFixed(1)}/s`).join(', ')}`);
		console.log(`  max_batch_tokens   ${batched.tokenBudgets.map(entry => `${entry.maxBatchTokens}: ${entry.textsPerSecond.toFixed(0)}/s`).join(', ')} (zipf corpus, median of ${quick ? 1 : 3})`);
	}

	console.log(`  (${((Date.now() - started) / 1000).toFixed(0)} s; details in bench-results/)`);
} finally {
	if (!keep) {
		rmSync(scratch, {recursive: true, force: true});
	}
}
