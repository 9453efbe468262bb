import assert from 'node:assert/strict';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {openMemoryDatabase} from '../../../source/engine/db/connection.js';
import {decodeVector} from '../../../source/engine/db/vectors.js';
import {classifyBatchError} from '../../../source/engine/migration/classify.js';
import {CommitWriter} from '../../../source/engine/migration/commit-writer.js';
import {ensureStateTables, insertRun, latestRun, listFailures} from '../../../source/engine/run-store/index.js';
import {makeTempDir} from '../../helpers/temp.js';
import {demoWorkspace} from '../../helpers/workspace.js';

const model = 'Qwen/Qwen3-Embedding-0.6B';
const runId = 'run-commit-writer';
const writers: CommitWriter[] = [];
after(async () => Promise.all(writers.map(async writer => writer.close())));

type Row = {messageId: string; channelId: string; userId: string | null};

/** A demo database with a run record, and three of its messages. */
async function prepared(): Promise<{database: string; rows: Row[]}> {
	const {database} = await demoWorkspace();
	const db = openMemoryDatabase(database);
	ensureStateTables(db);
	const now = new Date().toISOString();
	insertRun(db, {
		run_id: runId, source_model: 'old', target_model: model, target_dimension: 4, strategy: 'regenerate', profile: 'qwen3_balanced',
		phase: 'embed', status: 'running', embedding_watermark: 0, cursor_rowid: 0, embedded: 0, truncated: 0, settings_sha256: null,
		backup_verified_at: null, started_at: now, updated_at: now, finished_at: null, cutover_at: null, pruned_at: null, target_total: 3, target_done: 0,
	});
	const rows = db.prepare('SELECT message_id AS messageId, channel_id AS channelId, user_id AS userId FROM messages ORDER BY rowid LIMIT 3').all() as Row[];
	db.close();
	return {database, rows};
}

function writer(database: string, busyTimeoutMs?: number): CommitWriter {
	const created = new CommitWriter({databasePath: database, busyTimeoutMs});
	writers.push(created);
	return created;
}

function newRows(database: string): Array<{message_id: string; vector_data: Buffer}> {
	const db = new Database(database, {readonly: true});
	try {
		return db.prepare('SELECT message_id, vector_data FROM embeddings WHERE model_version = ? ORDER BY id').all(model) as Array<{message_id: string; vector_data: Buffer}>;
	} finally {
		db.close();
	}
}

describe('commit writer (the worker thread that writes new vectors)', () => {
	it('commits a batch\'s rows with its checkpoint, and never writes a row twice', async () => {
		const {database, rows} = await prepared();
		const commits = writer(database);
		const vectors = Float32Array.from({length: 12}, (_, index) => index / 10);
		assert.equal(await commits.commit(runId, model, rows, vectors, 4, 17, 1), 3);
		assert.equal(await commits.commit(runId, model, rows, vectors, 4, 12, 0), 0, 'the same messages again insert nothing');
		const written = newRows(database);
		assert.deepEqual(written.map(row => row.message_id), rows.map(row => row.messageId));
		assert.deepEqual([...decodeVector(written[1]!.vector_data, 4)], [...vectors.subarray(4, 8)]);
		const db = openMemoryDatabase(database, {queryOnly: true});
		const run = latestRun(db)!;
		db.close();
		assert.equal(run.cursor_rowid, 17, 'the checkpoint only moves forward');
		assert.equal(run.embedded, 3);
		assert.equal(run.truncated, 1);
	});

	it('records a failed message with the checkpoint', async () => {
		const {database, rows} = await prepared();
		await writer(database).recordFailure(runId, rows[0]!, 'model', 'bad input', 5);
		const db = openMemoryDatabase(database, {queryOnly: true});
		const failures = listFailures(db, runId);
		const run = latestRun(db)!;
		db.close();
		assert.deepEqual(failures.map(failure => [failure.message_id, failure.kind, failure.error]), [[rows[0]!.messageId, 'model', 'bad input']]);
		assert.equal(run.cursor_rowid, 5);
	});

	it('fails busy (so the engine retries) while another process holds the write lock, then writes', async () => {
		const {database, rows} = await prepared();
		const commits = writer(database, 200);
		const holder = new Database(database);
		holder.exec('BEGIN IMMEDIATE');
		const error = await commits.commit(runId, model, rows, new Float32Array(12), 4, 1, 0).then(() => undefined, (error: unknown) => error);
		assert.ok(error instanceof Error, 'the commit fails while the lock is held');
		assert.equal(classifyBatchError(error), 'busy', error.message);
		holder.exec('ROLLBACK');
		holder.close();
		assert.equal(newRows(database).length, 0, 'nothing of the failed transaction is left');
		assert.equal(await commits.commit(runId, model, rows, new Float32Array(12), 4, 1, 0), 3);
	});

	it('rejects with the database\'s own error when it cannot open it', async () => {
		const missing = path.join(makeTempDir(), 'memory.db');
		const error = await writer(missing).commit(runId, model, [], new Float32Array(), 4, 0, 0).then(() => undefined, (error: unknown) => error);
		assert.ok(error instanceof Error);
		assert.match(error.message, /memory\.db: database not found/);
	});
});
