/**
 * What fetching only last_hidden_state saves. The real Qwen3 export returns 56 present.* tensors
 * [B,8,T,128] besides it (~470 MB for a 2048-token fp32 batch), which transformers.js copies back
 * to JavaScript on every call. Runs the real-signature stand-in (1024-d output, the real cache
 * shapes) in both fetch modes on the same 2048-token batches and prints the difference.
 *
 * Run: node .build/source/bench/present-fetch.js [--batches=N]
 */
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {Embedder} from '../engine/embed/embedder.js';
import {resolveModelSource} from '../engine/embed/model-source.js';
import type {TokenizedBatch} from '../engine/embed/tokenize.js';
import {generateQwen3TinyModel} from '../models/tiny-models.js';

const batches = Number(process.argv.find(argument => argument.startsWith('--batches='))?.slice(10) ?? 6);
/** 16 texts × 128 tokens: the 2048-token batch the figure is for. */
const rows = 16;
const tokens = 128;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeBatches(embedder: Embedder, batch: TokenizedBatch): Promise<{ms: number; rssMb: number}> {
	await embedder.embedBatch(batch);
	const times: number[] = [];
	let rss = 0;
	for (let index = 0; index < batches; index++) {
		const started = performance.now();
		await embedder.embedBatch(batch);
		times.push(performance.now() - started);
		rss = Math.max(rss, process.memoryUsage().rss);
	}

	return {ms: median(times), rssMb: rss / 2 ** 20};
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'qwen3-present-'));
try {
	generateQwen3TinyModel(scratch, {dimension: 1024, hidden: 64});
	const load = async (fetch: 'pooled' | 'all') =>
		Embedder.load({source: resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: scratch, root: scratch, cacheDir: 'c'}), device: 'cpu', maxTokens: tokens, fetch});
	const pooled = await load('pooled');
	const text = 'word '.repeat(tokens * 2);
	const batch = await pooled.tokenizeAsync(Array.from({length: rows}, () => text));
	const presentBytes = 56 * rows * batch.sequenceLength * 8 * 128 * 4;
	const lean = await timeBatches(pooled, batch);
	await pooled.close();
	const all = await load('all');
	const full = await timeBatches(all, batch);
	await all.close();
	console.log(`present.* outputs: ${(presentBytes / 1e6).toFixed(0)} MB per ${rows}×${batch.sequenceLength}-token fp32 batch`);
	console.log(`fetch all outputs       ${full.ms.toFixed(1)} ms/batch (median of ${batches}), peak RSS ${full.rssMb.toFixed(0)} MB`);
	console.log(`fetch last_hidden_state ${lean.ms.toFixed(1)} ms/batch (median of ${batches}), peak RSS ${lean.rssMb.toFixed(0)} MB`);
	console.log(`saved per batch         ${(full.ms - lean.ms).toFixed(1)} ms (${(((full.ms - lean.ms) / full.ms) * 100).toFixed(1)}%)`);
} finally {
	rmSync(scratch, {recursive: true, force: true});
}
