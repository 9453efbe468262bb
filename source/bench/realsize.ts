/**
 * `npm run bench -- --only=realsize`: speed and memory on the full-size Qwen3 stand-in (the real
 * 0.6B architecture, random weights; generated once into the temp directory, ~3.5 GB, reused).
 * Each figure is one line that scripts can read. --quick runs a 4-layer model on tiny corpora
 * (a smoke test of the bench itself, not figures for the README); --small runs the full-size
 * model on small corpora (a few minutes: checks the measurements, not figures for the README).
 */
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {createDemoWorkspace, demoModelDirs} from '../demo/create-workspace.js';
import {Embedder} from '../engine/embed/embedder.js';
import {inventoryComplete, inventoryModelDirectory} from '../engine/embed/model-inventory.js';
import {resolveModelSource} from '../engine/embed/model-source.js';
import {runPlan} from '../engine/ops/plan.js';
import {openWorkspace} from '../engine/workspace.js';
import {generateChatMessage} from '../demo/chat-corpus.js';
import {createRandom} from '../engine/util/random.js';
import {generateQwen3FullModel, qwen3EmbeddingArchitecture, type Qwen3Architecture} from '../models/qwen3-full.js';
import {qwen3EndOfTextId, writeRealQwen3Tokenizer} from '../models/qwen3-tokenizer.js';

const quick = process.argv.includes('--quick');
const small = process.argv.includes('--small');
const here = path.dirname(fileURLToPath(import.meta.url));
const architecture: Qwen3Architecture = quick ? {...qwen3EmbeddingArchitecture, layers: 4} : qwen3EmbeddingArchitecture;
// Full size on 2 shared cores: 40-80 tokens/s in fp32 and 170-330 in q8 (the CPU default, in which
// the migrations run), so the corpora are sized for a run of 6-15 minutes there (5 min 40 s on 2026-12-03).
const sizes = quick ? {sample: 16, uniform: 40, zipf: 60} : small ? {sample: 8, uniform: 24, zipf: 24} : {sample: 48, uniform: 240, zipf: 240};
const dtypes = ['fp32', 'q8'] as const;
const batchSize = 16;
const aloneSample = 8;

function log(message: string): void {
	process.stderr.write(`[realsize] ${message}\n`);
}

/** The full-size model, generated on first use and kept (its files are checked, not trusted). */
function ensureModel(): string {
	const directory = path.join(os.tmpdir(), `qwen3-migrate-realsize-${architecture.layers}l`);
	if (dtypes.every(dtype => inventoryComplete(inventoryModelDirectory(directory, dtype)))) {
		return directory;
	}

	log(`generating the ${architecture.layers}-layer Qwen3 stand-in (fp32 + q8) in ${directory}...`);
	const started = performance.now();
	const {parameters} = generateQwen3FullModel(directory, {architecture, dtypes: [...dtypes], writeTokenizer: target => (writeRealQwen3Tokenizer(target), {eosId: qwen3EndOfTextId})});
	log(`${(parameters / 1e6).toFixed(0)}M parameters in ${((performance.now() - started) / 1000).toFixed(0)} s`);
	return directory;
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

type DtypeFigures = {dtype: string; threads: number; tokensPerSecond: number; textsPerSecond: number; vectors: Float32Array[]; aloneCosineMin: number};

/** tokens/s and texts/s for one dtype and thread count, on the sample in batches. */
async function measureDtype(directory: string, dtype: string, threads: number, texts: string[]): Promise<DtypeFigures> {
	const embedder = await Embedder.load({source: resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: directory, root: directory, cacheDir: 'c'}), device: 'cpu', dtype, threads});
	try {
		const batches = [];
		for (let start = 0; start < texts.length; start += batchSize) {
			batches.push(await embedder.tokenizeAsync(texts.slice(start, start + batchSize)));
		}

		await embedder.embedBatch(batches[0]!);
		const vectors: Float32Array[] = [];
		let tokens = 0;
		const started = performance.now();
		for (const batch of batches) {
			const {vectors: flat, dimension} = await embedder.embedBatch(batch);
			tokens += batch.tokenCounts.reduce((sum, count) => sum + count, 0);
			for (let row = 0; row < batch.batchSize; row++) {
				vectors.push(flat.slice(row * dimension, (row + 1) * dimension));
			}
		}

		const seconds = (performance.now() - started) / 1000;
		// A quantised graph that quantises activations per tensor makes a text's vector depend on the
		// other texts in its batch: a few texts embedded alone, against their batched vectors.
		let aloneCosineMin = 1;
		for (const [index, text] of texts.slice(0, aloneSample).entries()) {
			const [alone] = await embedder.embed([text]);
			aloneCosineMin = Math.min(aloneCosineMin, cosine(alone!, vectors[index]!));
		}

		return {dtype, threads, tokensPerSecond: tokens / seconds, textsPerSecond: texts.length / seconds, vectors, aloneCosineMin};
	} finally {
		await embedder.close();
	}
}

type Child = {
	textsPerSecond: number;
	texts?: number;
	modelOnlyTextsPerSecond?: number;
	modelBusy?: number;
	maxRssMb?: number;
	dtype?: string;
	embedded?: number;
	modelTexts?: number;
	embedPhaseSeconds?: number;
	wallSeconds: number;
};

function runChild(script: string, root: string, second: string = String(batchSize), extra: string[] = []): Child {
	const started = performance.now();
	const result = spawnSync(process.execPath, [path.join(here, script), root, second, ...extra], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: {...process.env, NODE_ENV: 'production'}});
	if (result.status !== 0) {
		throw new Error(`${script} failed: ${result.stderr}`);
	}

	return {...(JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Omit<Child, 'wallSeconds'>), wallSeconds: (performance.now() - started) / 1000};
}

/**
 * The dtype the bench's plans and migrations run in. q8, not the CPU default (fp32): the pipeline
 * around the model is the same for either, and q8's 2.8x speed keeps the whole bench well under
 * 20 minutes on 2 cores. The dtype lines measure both.
 */
const migrationDtype = 'q8';

/** A demo workspace whose target model is the full-size stand-in (linked, not copied), migrated in {@link migrationDtype}. */
async function workspaceOn(model: string, scratch: string, corpus: 'uniform' | 'zipf', messages: number): Promise<string> {
	const root = path.join(scratch, corpus);
	await createDemoWorkspace(root, {messages, channels: 2, sourceDimension: 64, targetDimension: 32, corpus});
	const target = path.join(root, demoModelDirs.target);
	rmSync(target, {recursive: true, force: true});
	symlinkSync(model, target, 'dir');
	const settingsFile = path.join(root, 'settings.json');
	const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as {memory_system: {migration: Record<string, unknown>}};
	settings.memory_system.migration.dtype = migrationDtype;
	writeFileSync(settingsFile, JSON.stringify(settings, undefined, 2));
	return root;
}

const pct = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const both = (values: number[], digits: number) => values.map(value => value.toFixed(digits)).join(' and ');

/**
 * On a corpus with no duplicates: plan, then a migration (its batches recorded), the model alone on
 * those batches, then plan and a migration again on an identical workspace. On a shared machine the
 * speed drifts by tens of percent within minutes, so the model-alone run sits between the two
 * migrations and each figure is the mean of both runs (each run is printed too).
 */
async function pipelineFigures(model: string, scratch: string): Promise<void> {
	const runs: Array<{plan: Awaited<ReturnType<typeof runPlan>>; migration: Child; batches: string}> = [];
	let raw: Child | undefined;
	for (const copy of ['a', 'b']) {
		const root = await workspaceOn(model, path.join(scratch, copy), 'uniform', sizes.uniform);
		log(`plan on uniform workspace ${copy}...`);
		const plan = await runPlan(openWorkspace(root), {batchSize});
		log(`migration ${copy} (its batches recorded)...`);
		const batches = path.join(scratch, `batch-plan-${copy}.json`);
		runs.push({plan, migration: runChild('migrate-child.js', root, String(batchSize), [`--record=${batches}`]), batches: readFileSync(batches, 'utf8')});
		if (copy === 'a') {
			log('the model alone on the migration\'s batches...');
			raw = runChild('raw-child.js', root, `--replay=${batches}`);
		}
	}

	const migrations = runs.map(run => run.migration);
	const sameBatches = runs[0]!.batches === runs[1]!.batches ? 'the same batches in both runs' : 'the two runs made DIFFERENT batches';
	const busy = migrations.map(run => (run.modelBusy ?? 0) * 100);
	console.log(`model busy ${mean(busy).toFixed(1)}% of the embed phase (time inside the model ÷ first batch handed to it → last commit; runs ${both(busy, 1)}%; migration in ${migrations[0]!.dtype})`);
	const rates = migrations.map(run => run.textsPerSecond);
	console.log(
		`pipeline efficiency ${(mean(rates) / raw!.modelOnlyTextsPerSecond!).toFixed(3)} (migration ${both(rates, 2)} texts/s ÷ model alone ${raw!.modelOnlyTextsPerSecond!.toFixed(2)} texts/s between them, on the same ${raw!.texts} texts in the same batches and order (${sameBatches}), no duplicates; target ≥ 0.95)`,
	);
	console.log(`peak RSS ${Math.max(...migrations.map(run => run.maxRssMb ?? 0)).toFixed(0)} MB (migration of ${sizes.uniform} messages, ${migrations[0]!.dtype})`);
	const probes = runs.map(run => run.plan.probe).filter(probe => probe !== undefined);
	if (probes.length < runs.length) {
		console.log(`plan estimate unavailable (plan did not probe the model: ${runs.map(run => run.plan.probeSkipped).join('; ')})`);
		return;
	}

	const estimates = probes.map(probe => probe.estimatedSeconds);
	const measured = migrations.map(run => run.embedPhaseSeconds!);
	console.log(
		`plan estimate ${mean(estimates).toFixed(0)} s for embedding ${runs[0]!.plan.counts.remaining} texts (runs ${both(estimates, 0)} s), measured ${mean(measured).toFixed(0)} s for the same span, the embed phase (runs ${both(measured, 0)} s; each whole migration with start-up, model load, backup, indexes and verify took ${both(migrations.map(run => run.wallSeconds), 0)} s) (${pct(mean(estimates) / mean(measured) - 1)})`,
	);
	const probeRate = mean(probes.map(probe => probe.textsPerSecond));
	console.log(`plan estimate for 100,000 messages ${(100_000 / probeRate / 3600).toFixed(1)} h of embedding at ${probeRate.toFixed(2)} texts/s`);
}

export async function runRealsizeBench(): Promise<void> {
	const model = ensureModel();
	const random = createRandom(5);
	const texts = Array.from({length: sizes.sample}, () => generateChatMessage(random).content).filter(text => text.trim() !== '');
	const best: DtypeFigures[] = [];
	for (const dtype of dtypes) {
		const runs: DtypeFigures[] = [];
		for (const threads of [...new Set([1, os.cpus().length])]) {
			log(`${dtype}, ${threads} thread(s), ${texts.length} texts...`);
			runs.push(await measureDtype(model, dtype, threads, texts));
		}

		best.push(runs.reduce((a, b) => (a.tokensPerSecond >= b.tokensPerSecond ? a : b)));
	}

	const reference = best.find(entry => entry.dtype === 'fp32')!;
	for (const entry of best) {
		const cosines = entry.vectors.map((vector, index) => cosine(vector, reference.vectors[index]!));
		const agreement = entry.dtype === 'fp32' ? '' : `, cosine to fp32 mean ${(cosines.reduce((a, b) => a + b, 0) / cosines.length).toFixed(4)} min ${Math.min(...cosines).toFixed(4)} over ${cosines.length} texts`;
		console.log(`dtype ${entry.dtype}: ${entry.tokensPerSecond.toFixed(0)} tokens/s, ${entry.textsPerSecond.toFixed(2)} texts/s at ${entry.threads} thread(s)${agreement}`);
		console.log(`dtype ${entry.dtype} batch dependence: cosine of a text embedded alone to the same text in its batch, min ${entry.aloneCosineMin.toFixed(6)} over ${Math.min(aloneSample, texts.length)} texts`);
	}

	const scratch = mkdtempSync(path.join(os.tmpdir(), 'qwen3-realsize-'));
	try {
		await pipelineFigures(model, scratch);
		const zipf = await workspaceOn(model, scratch, 'zipf', sizes.zipf);
		const naiveRoot = await workspaceOn(model, path.join(scratch, 'naive'), 'zipf', sizes.zipf);
		log('naive table-order loop on chat-like data...');
		const naive = runChild('naive-child.js', naiveRoot);
		log('migration on the same data...');
		const chat = runChild('migrate-child.js', zipf);
		console.log(`speed-up over a naive table-order loop ${(chat.textsPerSecond / naive.textsPerSecond).toFixed(2)}× on chat-like data (${chat.textsPerSecond.toFixed(2)} vs ${naive.textsPerSecond.toFixed(2)} texts/s)`);
	} finally {
		rmSync(scratch, {recursive: true, force: true});
	}
}

if (existsSync(process.argv[1] ?? '') && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]!)) {
	await runRealsizeBench();
}
