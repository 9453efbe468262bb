import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {checkIndexesWithPython} from '../../helpers/python.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

const botWriter = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../helpers/bot-writer.js');
const noFaults = new FaultInjector([]);

/** Target messages with rowid ≤ `rowid` that have no new-model vector. */
function unmigratedUpTo(databaseFile: string, rowid: number): number {
	const db = new Database(databaseFile, {readonly: true});
	try {
		const ids = new Set((db.prepare('SELECT message_id AS id FROM messages WHERE rowid <= ?').all(rowid) as Array<{id: string}>).map(row => row.id));
		const migrated = new Set(targetRows(databaseFile).map(row => row.message_id));
		return targetMessageIds(databaseFile).filter(id => ids.has(id) && !migrated.has(id)).length;
	} finally {
		db.close();
	}
}

describe('catch-up to the cut-over instant', () => {
	it('with a bot writing 40 messages/s, at most 5 miss the cut-over, and the rerun embeds every one', async () => {
		const paths = await demoWorkspace({messages: 1200, channels: 3});
		// 25 ms apart = 40 messages/s, for longer than the migration takes; stopped once it is done.
		const writer = spawn(process.execPath, [botWriter, paths.database, '100000', '25'], {stdio: 'ignore'});
		const logs: string[] = [];
		const migration = new Migration({workspace: openWorkspace(paths.root), faults: noFaults, batchSize: 16});
		migration.events.on('log:line', ({message}) => logs.push(message));
		const outcome = await migration.run();
		writer.kill('SIGKILL');
		await new Promise(resolve => writer.on('exit', resolve));
		assert.equal(outcome.status, 'done');
		assert.ok(outcome.status === 'done' && outcome.switchedAtRowid !== undefined);
		const missedBefore = unmigratedUpTo(paths.database, outcome.switchedAtRowid);
		assert.ok(missedBefore <= 5, `messages written before the cut-over instant without a new vector: ${missedBefore}\n${logs.join('\n')}`);
		assert.ok(outcome.late !== undefined && outcome.late >= 0, 'the run counts the messages written after its switch');
		if (process.env.SHOW_TRIALS) {
			console.log(`missed before the switch: ${missedBefore}, written after it: ${outcome.late}`);
		}
		assert.ok(logs.some(line => line.startsWith('切換前最後追趕: ')), 'the final catch-up ran and embedded the bot\'s new messages');
		const written = targetMessageIds(paths.database).filter(id => id.startsWith('bot-')).length;
		assert.ok(written >= 40, `the writer was running during the migration (${written} messages)`);

		// The bot restarted: the rerun embeds what it wrote after the switch, into the live indexes.
		const rerun = await new Migration({workspace: openWorkspace(paths.root), faults: noFaults}).run();
		assert.equal(rerun.status, 'done', 'a rerun with messages left is not "nothing to do"');
		assert.equal(rerun.status === 'done' ? rerun.late : -1, 0);
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.deepEqual(targetMessageIds(paths.database).filter(id => !migrated.has(id)), []);
		assert.equal(targetRows(paths.database).length, migrated.size, 'no duplicate new-model rows');
		const indexed = checkIndexesWithPython(paths.indices).flatMap(channel => {
			assert.deepEqual(channel.problems, []);
			return channel.all_ids;
		});
		assert.deepEqual(new Set(indexed), migrated, 'every new vector is in the live indexes');
		assert.equal((await new Migration({workspace: openWorkspace(paths.root), faults: noFaults}).run()).status, 'noop');
	});
});
