import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {blobReason} from '../../../source/engine/migration/odd-rows.js';
import {latestRun, listFailures} from '../../../source/engine/run-store/index.js';
import {demoWorkspace, targetRows} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

/** Overwrites the old vectors of three target messages with NaN (a corrupt old model row). */
function poisonOldVectors(databaseFile: string): string[] {
	const db = new Database(databaseFile);
	try {
		const rows = db.prepare("SELECT e.id AS id, e.message_id AS messageId, e.dimension AS dimension FROM embeddings e JOIN messages m USING (message_id) WHERE trim(m.content) <> '' ORDER BY e.id DESC LIMIT 3").all() as Array<{id: number; messageId: string; dimension: number}>;
		const update = db.prepare('UPDATE embeddings SET vector_data = ? WHERE id = ?');
		for (const row of rows) {
			update.run(Buffer.from(new Float32Array(row.dimension).fill(Number.NaN).buffer), row.id);
		}

		return rows.map(row => row.messageId);
	} finally {
		db.close();
	}
}

describe('no invalid vector is ever committed', () => {
	it('pad: old vectors full of NaN go to failures with the reason, never into a row or an index', {timeout: 180_000}, async () => {
		const paths = await demoWorkspace();
		const poisoned = poisonOldVectors(paths.database);
		const outcome = await new Migration({workspace: openWorkspace(paths.root), strategy: 'pad', batchSize: 16, faults: new FaultInjector([])}).run();
		assert.equal(outcome.status, 'done');
		const rows = targetRows(paths.database);
		for (const row of rows) {
			assert.equal(blobReason(row.vector_data, row.dimension), undefined, `row ${row.id} of ${row.message_id}`);
		}

		const db = new Database(paths.database, {readonly: true});
		const failures = listFailures(db, latestRun(db)!.run_id);
		db.close();
		const reasons = new Map(failures.map(failure => [failure.message_id, failure.error]));
		for (const id of poisoned) {
			// A sampled message gets its true vector from the model; every other poisoned one is refused.
			const migrated = rows.some(row => row.message_id === id);
			assert.ok(migrated || /vector has NaN at dimension 0/.test(reasons.get(id) ?? ''), `${id}: ${reasons.get(id)}`);
		}

		assert.ok(failures.length > 0, 'at least one poisoned message was refused');
	});
});
