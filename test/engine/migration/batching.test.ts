import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {decodeVector} from '../../../source/engine/db/vectors.js';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {paddedTokens, planBatches} from '../../../source/engine/migration/batch-planner.js';
import {fitPlannedBatch, regroupedBatch, ReuseCache, type PlannedBatch} from '../../../source/engine/migration/window-planner.js';
import type {TargetRow} from '../../../source/engine/types.js';
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

describe('a planned batch cut to the size in effect now (after out of memory halved it)', () => {
	/** Texts a..f (tokens 2..7), with two more rows of "a" and one of "c", and a remembered text "z". */
	function planned(): PlannedBatch {
		let rowid = 100;
		const row = (text: string, tokens: number): TargetRow => ({rowid: rowid++, messageId: `m${rowid}`, channelId: 'c', userId: 'u', text, encoded: {ids: Array.from({length: tokens}, () => text.codePointAt(0)!), truncated: false}});
		const unique = ['a', 'b', 'c', 'd', 'e', 'f'].map((text, index) => row(text, index + 2));
		const duplicates = [row('a', 2), row('a', 2), row('c', 4)];
		const remembered = row('z', 3);
		const rows = [...unique, ...duplicates, remembered];
		return {rows, unique, keys: rows.map(item => `text:${item.text}`), remembered: new Map([['text:z', new Float32Array([1])]]), cursorAfter: 999};
	}

	it('comes back as it is when it fits', () => {
		const batch = planned();
		assert.deepEqual(fitPlannedBatch(batch, 6, 1000), [batch]);
	});

	it('keeps each text with its duplicates, sends the remembered rows with the first part, and lets only the last part move the checkpoint', () => {
		const batch = planned();
		const parts = fitPlannedBatch(batch, 2, 1000);
		assert.equal(parts.length, 3);
		assert.deepEqual(parts.map(part => part.unique.length), [2, 2, 2], 'no part gives the model more texts than the size now');
		assert.deepEqual(parts.map(part => part.cursorAfter), [0, 0, 999]);
		assert.deepEqual(parts.flatMap(part => part.rows.map(row => row.rowid)).sort(), batch.rows.map(row => row.rowid).sort(), 'every row exactly once');
		for (const part of parts) {
			const texts = new Set(part.unique.map(row => row.text));
			assert.ok(part.rows.every(row => texts.has(row.text) || (part === parts[0] && row.text === 'z')), 'a row rides with its text');
			assert.deepEqual(part.keys, part.rows.map(row => `text:${row.text}`), 'keys stay aligned with rows');
		}

		assert.equal(parts[0]!.remembered.size, 1);
		assert.equal(parts[1]!.remembered.size + parts[2]!.remembered.size, 0);
	});

	it('also cuts to the halved token budget (padded to the longest text)', () => {
		const parts = fitPlannedBatch(planned(), 6, 12);
		for (const part of parts) {
			assert.ok(part.unique.length === 1 || paddedTokens(part.unique.map(row => row.encoded!.ids.length)) <= 12, part.unique.map(row => row.text).join(''));
		}

		assert.ok(parts.length > 1);
	});

	it('never splits a single text, whatever the limits', () => {
		const all = planned();
		const rows = all.rows.filter(row => row.text === 'a' || row.text === 'z');
		const one: PlannedBatch = {...all, rows, unique: all.unique.slice(0, 1), keys: rows.map(row => `text:${row.text}`)};
		assert.deepEqual(fitPlannedBatch(one, 1, 1), [one]);
	});

	it('regroups a failed batch\'s rows by text (token ids): each distinct text once, texts still remembered filled in, no ids each row its own', () => {
		const cache = new ReuseCache(8);
		const {rows} = planned();
		const keyOf = (row: TargetRow) => row.encoded!.ids.join(',');
		// "c" (4 tokens) was embedded earlier in the run.
		cache.set(keyOf(rows.find(row => row.text === 'c')!), new Float32Array([0.5]));
		const regrouped = regroupedBatch(rows, 7, cache);
		assert.equal(regrouped.cursorAfter, 7);
		assert.equal(regrouped.rows, rows);
		assert.deepEqual(regrouped.keys, rows.map(keyOf));
		// Texts a, b, d, e, f and z are new (the copies of "a" go once); "c" comes from the cache.
		assert.deepEqual(regrouped.unique.map(row => row.text), ['a', 'b', 'd', 'e', 'f', 'z']);
		assert.deepEqual([...regrouped.remembered.keys()], [keyOf(rows.find(row => row.text === 'c')!)]);
		const plain = rows.map(row => ({...row, encoded: undefined}));
		assert.equal(regroupedBatch(plain, 0, cache).unique.length, plain.length);
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
