/**
 * Benchmark child: the straightforward loop a user would write by hand — read N rows in table
 * order, embed them, write them, repeat; no read-ahead, no sorting, no reuse of duplicates. Same
 * model, batch size and threads as the migration it is compared with. Prints one JSON line.
 * Usage: node naive-child.js <workspace> <batchSize>
 */
import Database from 'better-sqlite3';
import {encodeVector} from '../engine/db/vectors.js';
import {Embedder} from '../engine/embed/embedder.js';
import {resolveModelSource} from '../engine/embed/model-source.js';
import {loadSettings} from '../engine/settings/load.js';
import {workspacePaths} from '../engine/workspace.js';

const [root, batchText] = process.argv.slice(2) as [string, string];
const batchSize = Number(batchText);
const {settings} = loadSettings(workspacePaths(root).settings);
const migration = settings.memory_system.migration;
const embedder = await Embedder.load({
	source: resolveModelSource(migration.target_model, {localPath: migration.target_model_path, root, cacheDir: migration.model_cache_dir}),
	device: 'cpu',
	maxTokens: migration.max_tokens,
	threads: migration.intra_op_threads ?? undefined,
});
const db = new Database(workspacePaths(root).database);
const rows = db
	.prepare(`SELECT m.message_id AS id, m.channel_id AS channel, m.user_id AS user, COALESCE(NULLIF(m.content_processed, ''), m.content) AS text
		FROM messages m JOIN channels c ON c.channel_id = m.channel_id WHERE c.vector_enabled = 1 ORDER BY m.rowid`)
	.all() as Array<{id: string; channel: string; user: string; text: string}>;
const targets = rows.filter(row => row.text.trim() !== '');
const insert = db.prepare('INSERT INTO embeddings (message_id, channel_id, user_id, vector_data, model_version, dimension) VALUES (?, ?, ?, ?, ?, ?)');
const write = db.transaction((batch: typeof targets, vectors: Float32Array[]) => {
	for (const [index, row] of batch.entries()) {
		insert.run(row.id, row.channel, row.user, encodeVector(vectors[index]!), migration.target_model, vectors[index]!.length);
	}
});
let started = 0;
let afterFirst = 0;
for (let start = 0; start < targets.length; start += batchSize) {
	const batch = targets.slice(start, start + batchSize);
	write(batch, await embedder.embed(batch.map(row => row.text)));
	if (start === 0) {
		started = performance.now();
		afterFirst = batch.length;
	}
}

const seconds = (performance.now() - started) / 1000;
db.close();
await embedder.close();
process.stdout.write(`${JSON.stringify({texts: targets.length, seconds, textsPerSecond: (targets.length - afterFirst) / seconds})}\n`);
