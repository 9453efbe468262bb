import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {decodeVector} from '../../../source/engine/db/vectors.js';
import type {AppError} from '../../../source/engine/errors.js';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {rollbackMigration} from '../../../source/engine/migration/rollback.js';
import {rollbackWorkspacePaths} from '../../../source/engine/workspace.js';
import {stateTablesExist} from '../../../source/engine/run-store/index.js';
import type {StrategyName} from '../../../source/engine/settings/schema.js';
import {updateSettings} from '../../../source/engine/settings/write.js';
import {checkIndexesWithPython} from '../../helpers/python.js';
import {demoWorkspace, dumpBotTables, targetMessageIds, targetRows} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

const noFaults = new FaultInjector([]);

function assertUnitVectors(databaseFile: string, dimension: number): void {
	const rows = targetRows(databaseFile);
	assert.ok(rows.length > 0);
	for (const row of rows) {
		assert.equal(row.dimension, dimension);
		const vector = decodeVector(row.vector_data, row.dimension);
		assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-4);
	}
}

describe('strategies', () => {
	it('transform learns a map from a model that is a linear function of the old one: recall@10 ≥ 0.99', async () => {
		const paths = await demoWorkspace({messages: 1200, targetKind: 'linear-of-source', sourceDimension: 32, targetDimension: 40});
		const migration = new Migration({workspace: openWorkspace(paths.root), strategy: 'transform', faults: noFaults});
		const quality: number[] = [];
		migration.events.on('strategy:quality', ({recallAtK}) => quality.push(recallAtK));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.ok(quality[0]! >= 0.99, `recall@10 ${quality[0]}`);
		assert.deepEqual(targetRows(paths.database).map(row => row.message_id).sort(), targetMessageIds(paths.database).sort());
		assertUnitVectors(paths.database, 40);
		assert.match(readFileSync(outcome.status === 'done' ? outcome.logFile : '', 'utf8'), /轉換品質: recall@10 (0\.99\d|1\.000)/);
		for (const channel of checkIndexesWithPython(paths.indices)) {
			assert.deepEqual(channel.problems, []);
		}
	});

	it('transform between unrelated models stays below the threshold and writes nothing', async () => {
		const paths = await demoWorkspace({messages: 1200});
		const before = dumpBotTables(paths.database);
		const settingsBefore = readFileSync(paths.settings);
		const migration = new Migration({workspace: openWorkspace(paths.root), strategy: 'transform', faults: noFaults});
		const runErrors: string[] = [];
		migration.events.on('run:error', ({error, phase}) => runErrors.push(`${phase}: ${error.message}`));
		await assert.rejects(migration.run(), (error: AppError) => {
			assert.match(error.message, /transform is not good enough: recall@10 0\.\d+ < 0\.9/);
			assert.match(error.hint!, /regenerate/);
			return true;
		});
		assert.equal(runErrors.length, 1, 'clients hear the error once, with the phase it stopped in');
		assert.match(runErrors[0]!, /^preflight: transform is not good enough/);
		assert.deepEqual(dumpBotTables(paths.database), before);
		assert.deepEqual(readFileSync(paths.settings), settingsBefore);
		assert.ok(!existsSync(paths.databaseBackup), 'no backup either');
		const db = new Database(paths.database, {readonly: true});
		assert.equal(stateTablesExist(db), false);
		db.close();
	});

	it('pad and truncate give vectors of the target length and warn with the measured recall', async () => {
		for (const [strategy, sourceDimension] of [
			['pad', 32],
			['truncate', 64],
		] as Array<[StrategyName, number]>) {
			const paths = await demoWorkspace({sourceDimension, targetDimension: 48});
			const outcome = await new Migration({workspace: openWorkspace(paths.root), strategy, faults: noFaults}).run();
			assert.equal(outcome.status, 'done', strategy);
			assertUnitVectors(paths.database, 48);
			const log = readFileSync(outcome.status === 'done' ? outcome.logFile : '', 'utf8');
			assert.match(log, new RegExp(` - WARNING - ${strategy} 產生的向量與新模型的查詢向量不可比較: recall@10 \\d\\.\\d{3}`));
		}
	});

	it('refuses pad onto a shorter target and truncate onto a longer one', async () => {
		const shorter = await demoWorkspace({sourceDimension: 64, targetDimension: 48});
		await assert.rejects(new Migration({workspace: openWorkspace(shorter.root), strategy: 'pad', faults: noFaults}).run(), /strategy pad: the old vectors \(64-d\) are longer than the target \(48-d\)/);
		const longer = await demoWorkspace({sourceDimension: 32, targetDimension: 48});
		await assert.rejects(new Migration({workspace: openWorkspace(longer.root), strategy: 'truncate', faults: noFaults}).run(), /strategy truncate: the old vectors \(32-d\) are shorter than the target \(48-d\)/);
	});

	it('keeps the first k dimensions with output_dimension, and the indexes follow', async () => {
		const paths = await demoWorkspace();
		updateSettings(paths.settings, {memory_system: {migration: {output_dimension: 32}}});
		// The Qwen3 profiles read 1024-d vectors: a truncated output needs the explicit override.
		const outcome = await new Migration({workspace: openWorkspace(paths.root), faults: noFaults, allowDimensionMismatch: true}).run();
		assert.equal(outcome.status, 'done');
		assertUnitVectors(paths.database, 32);
		for (const channel of checkIndexesWithPython(paths.indices)) {
			assert.equal(channel.dimension, 32);
			assert.deepEqual(channel.problems, []);
		}
	});

	it('rejects output dimensions outside 32 … the model\'s dimension', async () => {
		const paths = await demoWorkspace();
		updateSettings(paths.settings, {memory_system: {migration: {output_dimension: 4096}}});
		await assert.rejects(new Migration({workspace: openWorkspace(paths.root), faults: noFaults, allowDimensionMismatch: true}).run(), /output_dimension 4096: expected 32 to 48/);
		assert.throws(() => updateSettings(paths.settings, {memory_system: {migration: {output_dimension: 16}}}), /output_dimension: expected a value >= 32/);
	});

	it('resumes and rolls back exactly for every strategy', async () => {
		for (const strategy of ['regenerate', 'pad', 'transform'] as StrategyName[]) {
			const paths = await demoWorkspace({messages: 1200, targetKind: strategy === 'transform' ? 'linear-of-source' : 'qwen3', sourceDimension: 32, targetDimension: 40});
			const before = dumpBotTables(paths.database);
			const first = new Migration({workspace: openWorkspace(paths.root), strategy, batchSize: 8, faults: noFaults});
			let commits = 0;
			first.events.on('batch:commit:done', () => {
				if (++commits === 4) {
					first.control.abort();
				}
			});
			assert.equal((await first.run()).status, 'aborted', strategy);
			assert.equal((await new Migration({workspace: openWorkspace(paths.root), strategy, faults: noFaults}).run()).status, 'done', strategy);
			const rows = targetRows(paths.database);
			assert.equal(new Set(rows.map(row => row.message_id)).size, rows.length, `${strategy}: no duplicates`);
			assert.equal(rows.length, targetMessageIds(paths.database).length, strategy);
			await rollbackMigration(rollbackWorkspacePaths(paths.root));
			assert.deepEqual(dumpBotTables(paths.database), before, `${strategy}: rows as before`);
		}
	});
});
