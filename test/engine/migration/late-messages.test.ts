import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {openWorkspace} from '../../../source/engine/workspace.js';
import {runHeadless} from '../../../source/commands/shared/run-headless.js';
import {runCli} from '../../helpers/cli.js';
import {checkIndexesWithPython} from '../../helpers/python.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../../helpers/workspace.js';

const oldModel = 'sentence-transformers/paraphrase-multilingual-mpnet-base-v2';

/** Stores messages as the old bot does (text and an old-model vector), spread over the vector-enabled channels. */
function storeAsOldBot(databaseFile: string, prefix: string, count: number): Array<{id: string; channel: string}> {
	const db = new Database(databaseFile, {timeout: 5000});
	try {
		const channels = (db.prepare('SELECT channel_id AS id FROM channels WHERE vector_enabled = 1 ORDER BY channel_id').all() as Array<{id: string}>).map(row => row.id);
		const dimension = (db.prepare('SELECT dimension FROM embeddings WHERE model_version = ? LIMIT 1').get(oldModel) as {dimension: number}).dimension;
		const stored: Array<{id: string; channel: string}> = [];
		db.transaction(() => {
			for (let index = 0; index < count; index++) {
				const message = {id: `${prefix}-${index}`, channel: channels[index % channels.length]!};
				db.prepare("INSERT INTO messages (message_id, channel_id, user_id, content, timestamp) VALUES (?, ?, 'u', ?, datetime('now'))").run(message.id, message.channel, `late message ${index} 遲到的訊息`);
				db.prepare('INSERT INTO embeddings (message_id, channel_id, user_id, vector_data, model_version, dimension) VALUES (?, ?, ?, ?, ?, ?)').run(message.id, message.channel, 'u', Buffer.alloc(dimension * 4, 1), oldModel, dimension);
				stored.push(message);
			}
		})();
		return stored;
	} finally {
		db.close();
	}
}

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
