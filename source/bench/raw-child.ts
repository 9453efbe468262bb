/**
 * Benchmark child: raw throughput of the embedding module on a workspace's target texts, in batches
 * of the given size, one after another (tokenise, then infer), and the model alone on
 * pre-tokenised batches. Prints one JSON line.
 * Usage: node raw-child.js <workspace> <batchSize> [threads]
 */
import Database from 'better-sqlite3';
import {demoModelDirs} from '../demo/create-workspace.js';
import {Embedder} from '../engine/embed/embedder.js';
import {resolveModelSource} from '../engine/embed/model-source.js';
import {workspacePaths} from '../engine/workspace.js';

const [root, batchText, threadsText] = process.argv.slice(2) as [string, string, string | undefined];
const batchSize = Number(batchText);

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
	process.stdout.write(`${JSON.stringify({texts: texts.length, seconds, textsPerSecond: texts.length / seconds, modelOnlyTextsPerSecond: texts.length / modelSeconds})}\n`);
} finally {
	await embedder.close();
}
