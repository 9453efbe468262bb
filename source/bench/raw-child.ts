/**
 * Benchmark child: the embedding module without the migration around it. Prints one JSON line.
 * Usage: node raw-child.js <workspace> <batchSize> [threads]
 *          the workspace's target texts in table order, in batches of the given size, one after
 *          another (tokenise, then infer), and the model alone on those batches pre-tokenised
 *        node raw-child.js <workspace> --replay=<plan.json>
 *          the model alone on exactly the batches a migration ran (recorded by
 *          `migrate-child --record=`: same texts, grouping, padding and order), loaded with the
 *          workspace's settings as the migration loads it (same dtype and thread count)
 */
import Database from 'better-sqlite3';
import {demoModelDirs} from '../demo/create-workspace.js';
import {Embedder} from '../engine/embed/embedder.js';
import {resolveModelSource} from '../engine/embed/model-source.js';
import {workspacePaths} from '../engine/workspace.js';
import {loadWorkspaceTarget, readBatchPlan} from './batch-plan.js';

const [root, batchText, threadsText] = process.argv.slice(2) as [string, string, string | undefined];

function targetTexts(): string[] {
	const db = new Database(workspacePaths(root).database, {readonly: true});
	try {
		const rows = db
			.prepare(`SELECT COALESCE(NULLIF(m.content_processed, ''), m.content) AS text FROM messages m JOIN channels c ON c.channel_id = m.channel_id
				WHERE c.vector_enabled = 1 ORDER BY m.rowid`)
			.all() as Array<{text: string}>;
		return rows.map(row => row.text).filter(text => text.trim() !== '');
	} finally {
		db.close();
	}
}

async function tableOrder(): Promise<object> {
	const batchSize = Number(batchText);
	const texts = targetTexts();
	const embedder = await Embedder.load({
		source: resolveModelSource('bench', {localPath: demoModelDirs.target, root, cacheDir: 'c'}),
		device: 'cpu',
		maxTokens: 512,
		threads: threadsText === undefined ? undefined : Number(threadsText),
	});
	try {
		await embedder.embed(texts.slice(0, batchSize));
		const started = performance.now();
		for (let start = 0; start < texts.length; start += batchSize) {
			await embedder.embed(texts.slice(start, start + batchSize));
		}

		const seconds = (performance.now() - started) / 1000;
		const batches = [];
		for (let start = 0; start < texts.length; start += batchSize) {
			batches.push(await embedder.tokenizeAsync(texts.slice(start, start + batchSize)));
		}

		const modelStarted = performance.now();
		for (const batch of batches) {
			await embedder.embedBatch(batch);
		}

		const modelSeconds = (performance.now() - modelStarted) / 1000;
		return {texts: texts.length, seconds, textsPerSecond: texts.length / seconds, modelOnlyTextsPerSecond: texts.length / modelSeconds};
	} finally {
		await embedder.close();
	}
}

/** No warm-up batch: the migration's first batch had none either (loading runs one probe in both). */
async function replay(file: string): Promise<object> {
	const batches = readBatchPlan(file);
	const embedder = await loadWorkspaceTarget(root);
	try {
		let inferenceMs = 0;
		const started = performance.now();
		for (const batch of batches) {
			inferenceMs += (await embedder.embedBatch(batch)).inferenceMs;
		}

		const seconds = (performance.now() - started) / 1000;
		const texts = batches.reduce((sum, batch) => sum + batch.batchSize, 0);
		return {texts, batches: batches.length, seconds, modelOnlyTextsPerSecond: texts / seconds, inferenceSeconds: inferenceMs / 1000, dtype: embedder.dtype};
	} finally {
		await embedder.close();
	}
}

const result = batchText.startsWith('--replay=') ? await replay(batchText.slice('--replay='.length)) : await tableOrder();
process.stdout.write(`${JSON.stringify(result)}\n`);
