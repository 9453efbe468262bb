import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {openMemoryDatabase} from '../../../source/engine/db/connection.js';
import {
	addEmbedded,
	advanceCursor,
	countFailures,
	ensureStateTables,
	latestRun,
	markAborted,
	markCutOver,
	prepareCheckpointStatements,
	startRun,
	stateTablesExist,
} from '../../../source/engine/run-store/index.js';
import {sourceFiles, sourceRoot} from '../../helpers/source-tree.js';
import {demoWorkspace} from '../../helpers/workspace.js';

const sourceDir = sourceRoot;


async function demoDatabase() {
	const {database} = await demoWorkspace();
	return openMemoryDatabase(database);
}

const newRun = {
	run_id: 'run-store-test',
	source_model: 'old',
	target_model: 'Qwen/Qwen3-Embedding-0.6B',
	target_dimension: 48,
	strategy: 'regenerate' as const,
	profile: 'qwen3_high_performance',
	target_total: 10,
	target_done: 0,
};

describe('run store', () => {
	it('is the only module with SQL on the qwen3_migrate_* tables', () => {
		const runStore = path.join(sourceDir, 'engine', 'run-store');
		// The tables are whatever the schema creates: a new table is covered without editing this test.
		const schema = readFileSync(path.join(runStore, 'schema.ts'), 'utf8');
		const tables = [...schema.matchAll(/CREATE TABLE IF NOT EXISTS (qwen3_migrate_\w+)/g)].map(match => match[1]!);
		assert.ok(tables.length >= 3 && tables.includes('qwen3_migrate_runs'), `tables found in schema.ts: ${tables.join(', ')}`);
		const offenders = sourceFiles(sourceDir)
			.filter(file => !file.startsWith(runStore + path.sep))
			.filter(file => tables.some(table => new RegExp(`\\b${table}\\b`).test(readFileSync(file, 'utf8'))))
			.map(file => path.relative(sourceDir, file));
		assert.deepEqual(offenders, []);
	});

	it('starts a run with a watermark above every existing embeddings row, in the backup phase', async () => {
		const db = await demoDatabase();
		try {
			assert.equal(stateTablesExist(db), false);
			const maxId = (db.prepare('SELECT MAX(id) AS max FROM embeddings').get() as {max: number}).max;
			startRun(db, newRun);
			const run = latestRun(db)!;
			assert.equal(run.embedding_watermark, maxId);
			assert.equal(run.phase, 'backup');
			assert.equal(run.status, 'running');
			assert.equal(countFailures(db, run.run_id), 0);
		} finally {
			db.close();
		}
	});

	it('upgrades a runs table made by an older release, keeping its rows', async () => {
		const db = await demoDatabase();
		try {
			startRun(db, newRun);
			db.exec('ALTER TABLE qwen3_migrate_runs DROP COLUMN target_total');
			db.exec('ALTER TABLE qwen3_migrate_runs DROP COLUMN target_done');
			ensureStateTables(db);
			const run = latestRun(db)!;
			assert.equal(run.run_id, newRun.run_id);
			assert.equal(run.target_total, 0);
			assert.equal(run.target_done, 0);
		} finally {
			db.close();
		}
	});

	it('moves the checkpoint only forward and counts what each batch wrote', async () => {
		const db = await demoDatabase();
		try {
			startRun(db, newRun);
			const store = prepareCheckpointStatements(db);
			const now = new Date().toISOString();
			db.transaction(() => store.advance({runId: newRun.run_id, cursor: 40, embedded: 5, truncated: 1, now}))();
			db.transaction(() => store.advance({runId: newRun.run_id, cursor: 20, embedded: 2, truncated: 0, now}))();
			advanceCursor(db, newRun.run_id, 30);
			addEmbedded(db, newRun.run_id, 3);
			const run = latestRun(db)!;
			assert.equal(run.cursor_rowid, 40);
			assert.equal(run.embedded, 10);
			assert.equal(run.target_done, 10);
			assert.equal(run.truncated, 1);
			store.recordFailure({runId: newRun.run_id, messageId: 'm1', channelId: 'c1', kind: 'model', error: 'x'.repeat(5000), now});
			assert.equal(countFailures(db, newRun.run_id), 1);
		} finally {
			db.close();
		}
	});

	it('records an abort and a cut-over on the run record', async () => {
		const db = await demoDatabase();
		try {
			startRun(db, newRun);
			markAborted(db, newRun.run_id);
			assert.equal(latestRun(db)!.status, 'aborted');
			markCutOver(db, newRun.run_id);
			const run = latestRun(db)!;
			assert.equal(run.status, 'done');
			assert.equal(run.phase, 'done');
			assert.ok(run.cutover_at !== null && run.finished_at === run.cutover_at);
		} finally {
			db.close();
		}
	});
});
