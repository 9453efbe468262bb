/**
 * Benchmark child: the straightforward loop a user would write by hand — read N rows in table
 * order, embed them, write them, repeat; no read-ahead, no sorting, no reuse of duplicates. Same
 * model, batch size and threads as the migration it is compared with. Prints one JSON line.
 * Usage: node naive-child.js <workspace> <batchSize>
 */
import Database from 'better-sqlite3';
import {encodeVector} from '../engine/db/vectors.js';
import {loadSettings} from '../engine/settings/load.js';
import {workspacePaths} from '../engine/workspace.js';
import {loadWorkspaceTarget} from './batch-plan.js';

const [root, batchText] = process.argv.slice(2) as [string, string];
const batchSize = Number(batchText);
const {settings} = loadSettings(workspacePaths(root).settings);
const migration = settings.memory_system.migration;
const embedder = await loadWorkspaceTarget(root);
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
// Timed from the first batch, as the migration's embed phase is (loading ran one probe in both).
const started = performance.now();
for (let start = 0; start < targets.length; start += batchSize) {
	const batch = targets.slice(start, start + batchSize);
	write(batch, await embedder.embed(batch.map(row => row.text)));
}

const seconds = (performance.now() - started) / 1000;
db.close();
await embedder.close();
process.stdout.write(`${JSON.stringify({texts: targets.length, seconds, textsPerSecond: targets.length / seconds})}\n`);
