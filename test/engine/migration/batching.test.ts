import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {decodeVector} from '../../../source/engine/db/vectors.js';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {paddedTokens, planBatches} from '../../../source/engine/migration/batch-planner.js';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {loadSettings} from '../../../source/engine/settings/load.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

describe('batch planner', () => {
	it('sorts by length and caps each batch by rows and by padded tokens', () => {
		const lengths = [3, 500, 4, 5, 3, 6, 480, 4, 3, 5];
		const batches = planBatches(lengths.map((tokens, index) => ({key: String(index), tokens})), 4, 64);
		for (const batch of batches) {
			assert.ok(batch.length <= 4);
			const batchLengths = batch.map(index => lengths[index]!);
			assert.ok(batch.length === 1 || paddedTokens(batchLengths) <= 64, `batch ${batchLengths.join(',')}`);
			assert.deepEqual(batchLengths, [...batchLengths].sort((a, b) => a - b));
		}

		assert.deepEqual(batches.flat().sort((a, b) => a - b), lengths.map((_length, index) => index), 'every item exactly once');
		assert.ok(batches.some(batch => batch.length === 1 && lengths[batch[0]!] === 500), 'a text over the budget goes alone');
		assert.equal(batches.filter(batch => batch.some(index => lengths[index]! > 100)).length, 2, 'long texts do not pad short ones');
	});
});

describe('token-budget batches, length bucketing and duplicate reuse', () => {
	it('embeds each distinct text once, gives duplicates the same vector, and reports the reuse', async () => {
		const paths = await demoWorkspace({messages: 1500, corpus: 'zipf'});
		const outcome = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(outcome.status, 'done');
		assert.ok(outcome.status === 'done' && outcome.reused > 500, `reused ${outcome.status === 'done' ? outcome.reused : 0}`);
		assert.match(readFileSync(outcome.status === 'done' ? outcome.logFile : '', 'utf8'), /重複文字重用向量 \(未重新計算\): \d+/);
		assert.deepEqual(targetRows(paths.database).map(row => row.message_id).sort(), targetMessageIds(paths.database).sort());
		const db = new Database(paths.database, {readonly: true});
		const groups = db
			.prepare(`SELECT m.content AS text, COUNT(DISTINCT e.vector_data) AS variants, COUNT(*) AS n FROM embeddings e JOIN messages m ON m.message_id = e.message_id
				WHERE e.model_version = 'Qwen/Qwen3-Embedding-0.6B' GROUP BY m.content HAVING n > 1`)
			.all() as Array<{text: string; variants: number}>;
		db.close();
		assert.ok(groups.length > 10);
		assert.ok(groups.every(group => group.variants === 1), 'identical texts share one vector');
	});

	it('gives the same vectors (cosine ≥ 0.9999) as embedding each text alone, whatever the batching', async () => {
		const paths = await demoWorkspace({messages: 800, corpus: 'zipf'});
		await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([]), batchSize: 64}).run();
		const {settings} = loadSettings(paths.settings);
		const embedder = await Embedder.load({source: resolveModelSource('q', {localPath: settings.memory_system.migration.target_model_path, root: paths.root, cacheDir: 'c'}), device: 'cpu'});
		try {
			const db = new Database(paths.database, {readonly: true});
			const rows = db
				.prepare(`SELECT m.content AS text, e.vector_data AS blob, e.dimension AS dimension FROM embeddings e JOIN messages m ON m.message_id = e.message_id
					WHERE e.model_version = 'Qwen/Qwen3-Embedding-0.6B' ORDER BY length(m.content) DESC LIMIT 15`)
				.all() as Array<{text: string; blob: Buffer; dimension: number}>;
			db.close();
			for (const row of rows) {
				const [alone] = await embedder.embed([row.text]);
				const stored = decodeVector(row.blob, row.dimension);
				const cosine = stored.reduce((sum, value, index) => sum + value * alone![index]!, 0);
				assert.ok(cosine >= 0.9999, `cosine ${cosine}`);
			}
		} finally {
			await embedder.close();
		}
	});

	it('halves the token budget with the batch on out of memory', async () => {
		const paths = await demoWorkspace();
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 32, faults: FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: 'oom@size>8'})});
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.equal(migration.control.batchSize, 8);
		assert.equal(migration.control.tokenBudget, 512);
	});
});
