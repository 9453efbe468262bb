import assert from 'node:assert/strict';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {decodeVector} from '../../../source/engine/db/vectors.js';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {rollbackMigration} from '../../../source/engine/migration/rollback.js';
import {rollbackWorkspacePaths} from '../../../source/engine/workspace.js';
import {loadSettings} from '../../../source/engine/settings/load.js';
import {hashTree, olderGenerations, sha256File} from '../../../source/engine/migration/backup.js';
import {checkIndexesWithPython} from '../../helpers/python.js';
import {demoWorkspace, dumpBotTables, integrityCheck, targetMessageIds, targetRows} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

const noFaults = new FaultInjector([]);

describe('migration (regenerate)', () => {
	it('gives every target message exactly one new vector, cuts over, and logs the guide\'s lines', async () => {
		const paths = await demoWorkspace();
		const migration = new Migration({workspace: openWorkspace(paths.root), faults: noFaults});
		const phases: string[] = [];
		migration.events.on('run:phase:enter', ({phase}) => phases.push(phase));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.deepEqual(phases, ['preflight', 'backup', 'embed', 'catchup', 'index', 'verify', 'cutover', 'done']);

		const expected = targetMessageIds(paths.database).sort();
		const rows = targetRows(paths.database);
		assert.deepEqual(rows.map(row => row.message_id).sort(), expected, 'one row per target message, none for blank or disabled');
		assert.ok(rows.every(row => row.dimension === 48 && row.vector_data.length === 48 * 4));
		assert.equal(integrityCheck(paths.database), 'ok');

		const {settings} = loadSettings(paths.settings);
		assert.equal(settings.memory_system.embedding_model, 'Qwen/Qwen3-Embedding-0.6B');
		assert.equal(settings.memory_system.profile, 'qwen3_high_performance');

		const log = readFileSync(outcome.status === 'done' ? outcome.logFile : '', 'utf8');
		assert.match(log, / - INFO - 開始向量遷移: sentence-transformers\/paraphrase-multilingual-mpnet-base-v2 -> Qwen\/Qwen3-Embedding-0\.6B\n/);
		assert.match(log, / - INFO - 維度變化: 32 -> 48\n/);
		assert.match(log, / - INFO - 遷移策略: regenerate\n/);
		assert.match(log, new RegExp(` - INFO - 總向量數: ${expected.length}\\n`));
		assert.match(log, / - INFO - 遷移進度: 100\.0%\n/);
		assert.match(log, new RegExp(` - INFO - 向量遷移完成: 成功 ${expected.length}/${expected.length}, 成功率 100\\.00%\\n`));
	});

	it('writes indexes that python3-faiss and pickle load, each message retrieving itself', async () => {
		const paths = await demoWorkspace();
		await new Migration({workspace: openWorkspace(paths.root), faults: noFaults}).run();
		const channels = checkIndexesWithPython(paths.indices);
		const rows = targetRows(paths.database);
		assert.equal(channels.length, 2);
		for (const channel of channels) {
			assert.deepEqual(channel.problems, []);
			assert.equal(channel.dimension, 48);
			assert.equal(channel.self_retrieval_misses, 0);
			assert.deepEqual(channel.all_ids, rows.filter(row => row.channel_id === channel.channel).map(row => row.message_id).sort());
		}
	});

	it('stores vectors that do not depend on what they were batched with', async () => {
		const paths = await demoWorkspace();
		await new Migration({workspace: openWorkspace(paths.root), faults: noFaults, batchSize: 32}).run();
		const {settings} = loadSettings(paths.settings);
		const embedder = await Embedder.load({
			source: resolveModelSource('q', {localPath: settings.memory_system.migration.target_model_path, root: paths.root, cacheDir: 'c'}),
			device: 'cpu',
		});
		try {
			const Database = (await import('better-sqlite3')).default;
			const db = new Database(paths.database, {readonly: true});
			const rows = db
				.prepare(`SELECT COALESCE(NULLIF(m.content_processed, ''), m.content) AS text, e.vector_data AS blob, e.dimension AS dimension
					FROM embeddings e JOIN messages m ON m.message_id = e.message_id WHERE e.model_version = 'Qwen/Qwen3-Embedding-0.6B' LIMIT 40`)
				.all() as Array<{text: string; blob: Buffer; dimension: number}>;
			db.close();
			for (const row of rows) {
				const [single] = await embedder.embed([row.text]);
				const stored = decodeVector(row.blob, row.dimension);
				const cosine = stored.reduce((sum, value, index) => sum + value * single![index]!, 0);
				assert.ok(cosine >= 0.9999, `cosine ${cosine} for ${JSON.stringify(row.text.slice(0, 30))}`);
			}
		} finally {
			await embedder.close();
		}
	});

	it('is a no-op that says so when run again after finishing', async () => {
		const paths = await demoWorkspace();
		await new Migration({workspace: openWorkspace(paths.root), faults: noFaults}).run();
		const before = dumpBotTables(paths.database);
		const outcome = await new Migration({workspace: openWorkspace(paths.root), faults: noFaults}).run();
		assert.equal(outcome.status, 'noop');
		assert.match(outcome.status === 'noop' ? outcome.message : '', /nothing to do: the migration to Qwen\/Qwen3-Embedding-0\.6B finished/);
		assert.deepEqual(dumpBotTables(paths.database), before);
	});

	it('rolls back after cut-over to byte-identical settings and index files and the original rows', async () => {
		const paths = await demoWorkspace();
		const settingsBefore = sha256File(paths.settings);
		const indicesBefore = hashTree(paths.indices);
		const rowsBefore = dumpBotTables(paths.database);
		await new Migration({workspace: openWorkspace(paths.root), faults: noFaults}).run();
		assert.notEqual(sha256File(paths.settings), settingsBefore);
		const result = await rollbackMigration(rollbackWorkspacePaths(paths.root));
		assert.equal(result.afterCutover, true);
		assert.equal(sha256File(paths.settings), settingsBefore);
		assert.deepEqual(hashTree(paths.indices), indicesBefore);
		assert.deepEqual(dumpBotTables(paths.database), rowsBefore);
		assert.equal(integrityCheck(paths.database), 'ok');
		const names = readdirSync(path.dirname(paths.database));
		assert.ok(!names.includes('indices.qwen3-staging'));
	});

	it('rolls back from the database backup when asked', async () => {
		const paths = await demoWorkspace();
		const rowsBefore = dumpBotTables(paths.database);
		await new Migration({workspace: openWorkspace(paths.root), faults: noFaults}).run();
		const result = await rollbackMigration(rollbackWorkspacePaths(paths.root), {fromBackup: true});
		assert.equal(result.fromBackup, true);
		assert.deepEqual(dumpBotTables(paths.database), rowsBefore);
	});

	it('keeps a bounded number of its own older backup sets, and every hand-made one', async () => {
		const paths = await demoWorkspace();
		const settingsBefore = sha256File(paths.settings);
		// A backup made by hand under the guide's name, before the tool ever ran.
		writeFileSync(paths.databaseBackup, 'hand-made backup');
		const logs: string[] = [];
		for (let round = 0; round < 4; round++) {
			const migration = new Migration({workspace: openWorkspace(paths.root), faults: noFaults, keepBackups: 1});
			migration.events.on('log:line', ({message}) => logs.push(message));
			assert.equal((await migration.run()).status, 'done');
			await rollbackMigration(rollbackWorkspacePaths(paths.root));
		}

		assert.equal(olderGenerations(paths.settingsBackup).length, 1);
		assert.equal(olderGenerations(paths.indicesBackup).length, 1);
		const databaseGenerations = olderGenerations(paths.databaseBackup);
		assert.equal(databaseGenerations.length, 2, `one of ours and the hand-made one: ${databaseGenerations.join(', ')}`);
		assert.equal(readFileSync(databaseGenerations[1]!, 'utf8'), 'hand-made backup', 'the hand-made backup is never deleted');
		// Four runs: three moved the tool's previous set aside, and two of those sets were deleted again.
		assert.equal(logs.filter(line => line.startsWith('刪除較舊的備份: ')).length, 2 * 3);
		assert.equal(sha256File(paths.settingsBackup), settingsBefore, 'the newest backup is of the original settings');
		assert.equal(sha256File(olderGenerations(paths.settingsBackup)[0]!), settingsBefore);
	});
});
