import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {decodeVector} from '../../source/engine/db/vectors.js';
import {botPreprocess} from '../../source/engine/remote/bot-preprocess.js';
import {runCliAsync} from '../helpers/cli.js';
import {expectedVector, startFaultServer, type FaultServer} from '../helpers/fault-server.js';
import {checkIndexesWithPython} from '../helpers/python.js';
import {demoWorkspace, messageTexts, targetMessageIds, targetRows} from '../helpers/workspace.js';

const servers: FaultServer[] = [];
after(async () => Promise.all(servers.map(async server => server.close())));



describe('migrate --endpoint', () => {
	it('embeds every message through the servers (one dying mid-run), never shows the key, logs the endpoint taken out', async () => {
		const paths = await demoWorkspace({messages: 1200});
		const key = 'sk-test-0123456789-secret';
		const steady = await startFaultServer({dimension: 48, requiredKey: key, echoAuthorization: true, errorRate: 0.1, seed: 5});
		const dying = await startFaultServer({dimension: 48, requiredKey: key, echoAuthorization: true, dieAfter: 2});
		servers.push(steady, dying);
		const result = await runCliAsync(
			['migrate', '--workspace', paths.root, '--no-ui', '--yes', '--endpoint', `${steady.url},${dying.url}`],
			{OPENAI_API_KEY: key},
		);
		assert.equal(result.status, 0, result.output);
		const logDir = path.join(paths.root, 'logs');
		const log = readdirSync(logDir).map(file => readFileSync(path.join(logDir, file), 'utf8')).join('\n');
		assert.ok(!result.output.includes(key) && !log.includes(key), 'the API key appears in no output and no log line');
		assert.match(log, /嵌入端點/, `the endpoint taken out is in the run log:\n${result.output}`);

		const byMessage = messageTexts(paths.database);
		const rows = targetRows(paths.database);
		assert.deepEqual(rows.map(row => row.message_id).sort(), targetMessageIds(paths.database).sort(), 'every target message exactly once');
		for (const row of rows) {
			const expected = expectedVector(botPreprocess(byMessage.get(row.message_id)!), 48);
			const got = decodeVector(row.vector_data, row.dimension);
			assert.ok(got.every((value, index) => Math.abs(value - expected[index]!) <= 1e-6), `${row.message_id} has the server's vector for its bot-preprocessed text`);
		}

		checkIndexesWithPython(paths.indices);
	});

	it('refuses an endpoint of the wrong dimension before writing anything (exit 2, names the endpoint)', async () => {
		const paths = await demoWorkspace();
		const wrong = await startFaultServer({dimension: 32});
		servers.push(wrong);
		const before = readFileSync(paths.settings, 'utf8');
		const result = await runCliAsync(['migrate', '--workspace', paths.root, '--no-ui', '--yes', '--endpoint', wrong.url], {});
		assert.equal(result.status, 2, result.output);
		assert.ok(result.output.includes(wrong.url), result.output);
		assert.match(result.output, /answers 32-d vectors, the target is 48-d/);
		assert.equal(targetRows(paths.database).length, 0, 'no new-model row written');
		assert.equal(readFileSync(paths.settings, 'utf8'), before);
	});
});
