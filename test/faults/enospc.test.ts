import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {DiskFullError} from '../../source/engine/errors.js';
import {FaultInjector} from '../../source/engine/migration/faults.js';
import {Migration} from '../../source/engine/migration/migration.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../helpers/workspace.js';
import {openWorkspace} from '../../source/engine/workspace.js';

const oldModel = 'sentence-transformers/paraphrase-multilingual-mpnet-base-v2';

function oldVectorCount(databaseFile: string): number {
	const db = new Database(databaseFile, {readonly: true});
	try {
		return (db.prepare('SELECT COUNT(*) AS n FROM embeddings WHERE model_version = ?').get(oldModel) as {n: number}).n;
	} finally {
		db.close();
	}
}

/** No message lost, no old vector lost, no duplicate (message_id, model_version). */
function assertInvariants(databaseFile: string, oldVectors: number): void {
	const rows = targetRows(databaseFile);
	assert.equal(new Set(rows.map(row => row.message_id)).size, rows.length, 'no duplicate new rows');
	assert.deepEqual(new Set(rows.map(row => row.message_id)), new Set(targetMessageIds(databaseFile)), 'every target message migrated');
	assert.equal(oldVectorCount(databaseFile), oldVectors, 'old vectors kept');
}

async function expectDiskFull(run: Promise<unknown>): Promise<void> {
	await assert.rejects(run, (error: unknown) => {
		assert.ok(error instanceof DiskFullError, String(error));
		assert.match(error.message, /^disk full on \/\S*: need about \d+(\.\d)? [KMG]?B more$/);
		assert.equal(error.exitCode, 1);
		assert.match(error.hint ?? '', /free space on .*run `qwen3-migrate migrate` again: it resumes/);
		return true;
	});
}

describe('ENOSPC in each writer is a clean stop, and the run resumes once space is freed', () => {
	it('SQLite commit (enospc@commit)', {timeout: 240_000}, async () => {
		const paths = await demoWorkspace();
		const oldVectors = oldVectorCount(paths.database);
		await expectDiskFull(new Migration({workspace: openWorkspace(paths.root), batchSize: 16, faults: FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: 'enospc@commit=4'})}).run());
		const partial = targetRows(paths.database).length;
		assert.ok(partial > 0 && partial < targetMessageIds(paths.database).length, `committed before the fault: ${partial}`);
		const resumed = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(resumed.status, 'done');
		assert.equal(resumed.status === 'done' && resumed.failed, 0, 'no message written off as failed because of the disk');
		assertInvariants(paths.database, oldVectors);
	});

	it('FAISS index write (enospc@index, in the index worker)', {timeout: 240_000}, async () => {
		const paths = await demoWorkspace();
		const oldVectors = oldVectorCount(paths.database);
		process.env.QWEN3_MIGRATE_FAULTS = 'enospc@index=2';
		try {
			await expectDiskFull(new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run());
		} finally {
			delete process.env.QWEN3_MIGRATE_FAULTS;
		}

		const resumed = await new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run();
		assert.equal(resumed.status, 'done');
		assertInvariants(paths.database, oldVectors);
	});
});
