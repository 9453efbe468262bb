import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {before, describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {createDemoWorkspace, type DemoSummary} from '../../source/demo/create-workspace.js';
import {decodeVector} from '../../source/engine/db/vectors.js';
import {readChannelIndex} from '../../source/engine/faiss/index-files.js';
import {loadSettings} from '../../source/engine/settings/load.js';
import {workspacePaths} from '../../source/engine/workspace.js';
import {checkIndexesWithPython} from '../helpers/python.js';
import {makeTempDir} from '../helpers/temp.js';

describe('demo workspace', () => {
	const root = path.join(makeTempDir(), 'ws');
	const paths = workspacePaths(root);
	let summary: DemoSummary;

	before(async () => {
		summary = await createDemoWorkspace(root, {messages: 600, channels: 4});
	});

	it('has the bot\'s pre-migration settings with the generated target model', () => {
		const {settings, raw} = loadSettings(paths.settings);
		assert.equal(settings.memory_system.embedding_model, 'sentence-transformers/paraphrase-multilingual-mpnet-base-v2');
		assert.equal(settings.memory_system.profile, 'high_performance');
		assert.equal(settings.memory_system.migration.target_model, 'Qwen/Qwen3-Embedding-0.6B');
		assert.ok(settings.memory_system.migration.target_model_path);
		assert.ok('auto_update' in raw, 'keeps the bot\'s other sections');
		assert.match(readFileSync(paths.settings, 'utf8'), /"update_channel_id": 1208661941539704852/);
	});

	it('holds chat messages, some blank, some with content_processed, one channel with vectors off', () => {
		const db = new Database(paths.database, {readonly: true});
		const count = (sql: string) => (db.prepare(sql).get() as {n: number}).n;
		assert.equal(count('SELECT COUNT(*) AS n FROM messages'), 600);
		assert.ok(count("SELECT COUNT(*) AS n FROM messages WHERE TRIM(content, ' \t\n') = ''") > 0);
		assert.ok(count('SELECT COUNT(*) AS n FROM messages WHERE content_processed IS NOT NULL') > 0);
		assert.ok(count("SELECT COUNT(*) AS n FROM messages WHERE content GLOB '*[一-龥]*'") > 0, 'has Chinese text');
		assert.equal(count('SELECT COUNT(*) AS n FROM channels WHERE vector_enabled = 0'), 1);
		assert.equal(count('SELECT COUNT(*) AS n FROM embeddings'), summary.embedded);
		assert.equal(count('SELECT COUNT(DISTINCT dimension) AS n FROM embeddings'), 1);
		const row = db.prepare('SELECT vector_data, dimension FROM embeddings LIMIT 1').get() as {vector_data: Buffer; dimension: number};
		assert.equal(row.dimension, 768);
		assert.ok(Math.abs(Math.hypot(...decodeVector(row.vector_data, row.dimension)) - 1) < 1e-4);
		db.close();
	});

	it('writes indexes and mappings that python3-faiss and pickle load, each message retrieving itself', () => {
		const channels = checkIndexesWithPython(paths.indices);
		assert.equal(channels.length, 3, 'one index per vector-enabled channel');
		const db = new Database(paths.database, {readonly: true});
		for (const channel of channels) {
			assert.deepEqual(channel.problems, []);
			assert.equal(channel.dimension, 768);
			assert.ok(channel.metric_l2);
			assert.equal(channel.self_retrieval_misses, 0);
			const ids = (db.prepare('SELECT message_id FROM embeddings WHERE channel_id = ? ORDER BY message_id').all(channel.channel) as Array<{message_id: string}>).map(row => row.message_id);
			assert.deepEqual(channel.all_ids, ids.sort());
		}

		db.close();
	});

	it('stores each index row as the vector of the message its mapping names', () => {
		const db = new Database(paths.database, {readonly: true});
		const channelId = (db.prepare('SELECT channel_id FROM channels WHERE vector_enabled = 1 LIMIT 1').get() as {channel_id: string}).channel_id;
		const index = readChannelIndex(paths.indices, channelId);
		const messageId = index.mapping.idMap[5]!;
		const row = db.prepare('SELECT vector_data, dimension FROM embeddings WHERE message_id = ?').get(messageId) as {vector_data: Buffer; dimension: number};
		const result = index.search(decodeVector(row.vector_data, row.dimension), 1);
		assert.ok(result.distances[0]! < 1e-6);
		db.close();
	});

	it('refuses a non-empty directory', async () => {
		await assert.rejects(createDemoWorkspace(root, {messages: 10}), /not empty/);
	});
});
