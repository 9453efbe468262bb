import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {openWorkspace} from '../../../source/engine/workspace.js';
import {latestRun, recordLiveCatchUp} from '../../../source/engine/run-store/index.js';
import {runHeadless} from '../../../source/commands/shared/run-headless.js';
import {runCli} from '../../helpers/cli.js';
import {checkIndexesWithPython} from '../../helpers/python.js';
import {demoWorkspace, storeAsOldBot, targetMessageIds, targetRows} from '../../helpers/workspace.js';

describe('messages the old bot writes after the switch', () => {
	it('the run counts them and says to restart the bot; verify lists every one (message id, channel); the rerun appends them to the live indexes and the count goes to 0', async () => {
		const paths = await demoWorkspace();
		let late: Array<{id: string; channel: string}> = [];
		const logs: string[] = [];
		const migration = new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])});
		migration.events.on('log:line', ({message}) => {
			logs.push(message);
			// Right after the switch the live catch-up still embeds what arrives; after it, the old bot's messages are left for the rerun.
			if (message.startsWith('切換完成')) {
				storeAsOldBot(paths.database, 'caught', 2);
			} else if (message.startsWith('切換前最後追趕')) {
				late = storeAsOldBot(paths.database, 'late', 7);
			}
		});
		// `migrate --no-ui` as the CLI runs it, for its summary.
		const stdout = new PassThrough();
		let summary = '';
		stdout.on('data', (chunk: Buffer) => (summary += chunk.toString()));
		const exitCode = await runHeadless(migration, {stdout, stderr: new PassThrough(), env: {}, cwd: paths.root, interactive: false, signal: new AbortController().signal}, false);
		assert.equal(exitCode, 0, summary);
		assert.equal(late.length, 7, 'the live catch-up ran (it embedded the 2 messages stored right after the switch)');
		assert.match(summary, /7 messages the bot stored after the switch have no new vector yet: restart the bot, then run `qwen3-migrate migrate` again/, summary);
		assert.ok(logs.some(line => /切換後仍缺少新模型向量的訊息: 7 .*請重新啟動 bot 後再次執行 migrate/.test(line)), logs.join('\n'));

		const verify = runCli(['verify', '--workspace', paths.root]);
		for (const {id, channel} of late) {
			assert.ok(verify.stdout.includes(`${id} (channel ${channel})`), `verify lists ${id} in channel ${channel}:\n${verify.stdout}`);
		}

		assert.match(verify.stdout, /restart the bot, then run `qwen3-migrate migrate`/);

		const rerun = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(rerun.status, 'done', 'the rerun is not "nothing to do"');
		assert.equal(rerun.status === 'done' ? rerun.late : -1, 0);
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.deepEqual(targetMessageIds(paths.database).filter(id => !migrated.has(id)), [], 'every message has a new vector');
		assert.equal(targetRows(paths.database).length, migrated.size, 'no duplicate new-model rows');
		const byChannel = new Map(checkIndexesWithPython(paths.indices).map(channel => {
			assert.deepEqual(channel.problems, [], channel.channel);
			return [channel.channel, new Set(channel.all_ids)];
		}));
		for (const {id, channel} of late) {
			assert.ok(byChannel.get(channel)?.has(id), `${id} is in the live index of channel ${channel} (PigPig layout: <channel>.index + .mapping)`);
		}

		const verifyAfter = runCli(['verify', '--workspace', paths.root]);
		assert.equal(verifyAfter.status, 0, verifyAfter.stdout);
		assert.doesNotMatch(verifyAfter.stdout, /late-\d/);
	});
});

describe('a stop during the catch-up right after the switch', () => {
	it('puts every message it embedded into the live indexes, so a rerun that finds nothing to embed leaves none out', async () => {
		const paths = await demoWorkspace();
		let caught: Array<{id: string; channel: string}> = [];
		let switched = false;
		const migration = new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])});
		migration.events.on('log:line', ({message}) => {
			if (message.startsWith('切換完成')) {
				switched = true;
				caught = storeAsOldBot(paths.database, 'caught', 3);
			}
		});
		// The abort key, pressed as the live catch-up commits its (only) batch.
		migration.events.on('batch:commit:done', () => {
			if (switched) {
				migration.control.abort();
			}
		});
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done', 'the switch was recorded before the stop');
		assert.equal(outcome.status === 'done' ? outcome.late : -1, 0, 'the batch in flight was committed');
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.ok(caught.every(({id}) => migrated.has(id)), 'the messages stored right after the switch have new vectors');
		const rerun = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(rerun.status, 'noop', 'nothing is left to embed');
		const byChannel = new Map(checkIndexesWithPython(paths.indices).map(channel => [channel.channel, new Set(channel.all_ids)]));
		for (const {id, channel} of caught) {
			assert.ok(byChannel.get(channel)?.has(id), `${id} is in the live index of channel ${channel}`);
		}
	});
});

describe('a run table written by an older release', () => {
	it('gains the columns added since when a finished run is reopened, and the rerun completes', async () => {
		const paths = await demoWorkspace();
		const first = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(first.status, 'done');
		const db = new Database(paths.database);
		db.exec('ALTER TABLE qwen3_migrate_runs DROP COLUMN live_catch_up_from');
		db.close();
		const late = storeAsOldBot(paths.database, 'late', 3);
		const rerun = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(rerun.status, 'done');
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.ok(late.every(({id}) => migrated.has(id)));
		const upgraded = new Database(paths.database, {readonly: true});
		const columns = (upgraded.prepare('PRAGMA table_info(qwen3_migrate_runs)').all() as Array<{name: string}>).map(column => column.name);
		upgraded.close();
		assert.ok(columns.includes('live_catch_up_from'), columns.join(', '));
	});
});

describe('a catch-up after the switch recorded as cut short', () => {
	it('that embedded nothing does not force a rebuild: the rerun has nothing to do and clears the record', async () => {
		const paths = await demoWorkspace();
		const first = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(first.status, 'done');
		const db = new Database(paths.database);
		const run = latestRun(db)!;
		recordLiveCatchUp(db, run.run_id, (db.prepare('SELECT MAX(id) AS id FROM embeddings').get() as {id: number}).id);
		db.close();
		const rerun = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(rerun.status, 'noop');
		const after = new Database(paths.database, {readonly: true});
		assert.equal(latestRun(after)!.live_catch_up_from, null);
		after.close();
	});
});
