import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {maxContentBytes} from '../../../source/engine/migration/target-set.js';
import {latestRun, listFailures} from '../../../source/engine/run-store/index.js';
import {demoWorkspace, targetRows} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

const model = 'Qwen/Qwen3-Embedding-0.6B';

/** Adds one message of each odd kind, plus two pre-existing corrupt new-model rows, to a demo database. */
function addOddRows(databaseFile: string): {channel: string; corruptShort: string; corruptNan: string} {
	const db = new Database(databaseFile);
	// The orphan needs a broken reference, as a database written without foreign keys has.
	db.pragma('foreign_keys = OFF');
	try {
		const channel = (db.prepare('SELECT channel_id AS id FROM channels WHERE vector_enabled = 1 LIMIT 1').get() as {id: string}).id;
		const insert = db.prepare("INSERT INTO messages (message_id, channel_id, user_id, content, timestamp) VALUES (?, ?, 'u1', ?, '2026-01-01 00:00:00')");
		insert.run('odd-blob', channel, Buffer.from([0x00, 0xFF, 0x10, 0x41]));
		insert.run('odd-integer', channel, 42);
		db.prepare("INSERT INTO messages (message_id, channel_id, user_id, content, timestamp) VALUES ('odd-utf8', ?, 'u1', CAST(x'48656c6cff6f' AS TEXT), '2026-01-01')").run(channel);
		insert.run('odd-huge', channel, 'word '.repeat(Math.ceil((maxContentBytes + 10) / 5)));
		insert.run('odd-replacement-char', channel, 'a real \uFFFD in valid text');
		insert.run('odd-orphan', 'channel-without-row', 'a message whose channel row is missing');
		const ids = db.prepare("SELECT m.message_id AS id FROM messages m JOIN channels c USING (channel_id) WHERE c.vector_enabled = 1 AND m.message_id NOT LIKE 'odd-%' AND trim(m.content) <> '' ORDER BY m.rowid LIMIT 2").all() as Array<{id: string}>;
		const corrupt = db.prepare('INSERT INTO embeddings (message_id, channel_id, vector_data, model_version, dimension) VALUES (?, ?, ?, ?, 48)');
		corrupt.run(ids[0]!.id, channel, Buffer.alloc(10), model);
		corrupt.run(ids[1]!.id, channel, Buffer.from(new Float32Array(48).fill(Number.NaN).buffer), model);
		return {channel, corruptShort: ids[0]!.id, corruptNan: ids[1]!.id};
	} finally {
		db.close();
	}
}

describe('odd rows', () => {
	it('records each odd row with its reason and migrates all the others, without looping', {timeout: 180_000}, async () => {
		const paths = await demoWorkspace();
		const {corruptShort, corruptNan} = addOddRows(paths.database);
		const before = new Database(paths.database, {readonly: true});
		const utf8Before = (before.prepare("SELECT hex(content) AS hex FROM messages WHERE message_id = 'odd-utf8'").get() as {hex: string}).hex;
		before.close();
		const outcome = await new Migration({workspace: openWorkspace(paths.root), batchSize: 16, faults: new FaultInjector([])}).run();
		assert.equal(outcome.status, 'done');
		const db = new Database(paths.database, {readonly: true});
		const failures = listFailures(db, latestRun(db)!.run_id);
		const utf8After = (db.prepare("SELECT hex(content) AS hex FROM messages WHERE message_id = 'odd-utf8'").get() as {hex: string}).hex;
		db.close();
		const reasons = Object.fromEntries(failures.map(failure => [failure.message_id, failure.error]));
		assert.match(reasons['odd-blob'] ?? '', /content is a BLOB/);
		assert.match(reasons['odd-utf8'] ?? '', /not valid UTF-8/);
		assert.match(reasons['odd-huge'] ?? '', /content is \d+(\.\d+)? MB/);
		assert.match(reasons['odd-orphan'] ?? '', /channel channel-without-row has no row in channels/);
		assert.match(reasons[corruptShort] ?? '', /existing Qwen\/Qwen3-Embedding-0\.6B row .*is corrupt: blob is 10 bytes/);
		assert.match(reasons[corruptNan] ?? '', /existing .* row .*is corrupt: vector has NaN/);
		assert.equal(failures.length, 6, JSON.stringify(reasons));
		assert.equal(outcome.status === 'done' && outcome.failed, 6);
		assert.equal(utf8After, utf8Before, 'invalid UTF-8 is never rewritten');
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.ok(migrated.has('odd-integer'), 'an integer content is embedded as the bot would (its text)');
		assert.ok(migrated.has('odd-replacement-char'), 'a real U+FFFD is valid text');
		for (const id of ['odd-blob', 'odd-utf8', 'odd-huge', 'odd-orphan']) {
			assert.ok(!migrated.has(id), id);
		}
	});
});
