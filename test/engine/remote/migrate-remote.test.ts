import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {after, describe, it} from 'node:test';
import {decodeVector} from '../../../source/engine/db/vectors.js';
import {exitCodes} from '../../../source/engine/errors.js';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {botPreprocess} from '../../../source/engine/remote/bot-preprocess.js';
import {openRemoteBackend, type OpenRemoteOptions} from '../../../source/engine/remote/open-backend.js';
import {remoteEmbedderLoader} from '../../../source/engine/remote/remote-loader.js';
import type {PoolEvent} from '../../../source/engine/remote/pool.js';
import {EndpointRefusedError} from '../../../source/engine/remote/remote-errors.js';
import {serveWorkspace} from '../../../source/engine/serve/serve-workspace.js';
import {openWorkspace, type WorkspacePaths} from '../../../source/engine/workspace.js';
import {expectedVector, startFaultServer, type FaultServer} from '../../helpers/fault-server.js';
import {checkIndexesWithPython} from '../../helpers/python.js';
import {demoWorkspace, dumpBotTables, messageTexts, targetMessageIds, targetRows} from '../../helpers/workspace.js';

const noFaults = new FaultInjector([]);
const servers: FaultServer[] = [];
after(async () => Promise.all(servers.map(async server => server.close())));

/** A migration whose model is the remote backend: the adapter the engine's wiring will call. */
function remoteMigration(paths: WorkspacePaths, options: Omit<OpenRemoteOptions, 'targetModel' | 'maxTokens'>): Migration {
	return new Migration({
		workspace: openWorkspace(paths.root),
		faults: noFaults,
		loadEmbedder: async ({source}) => (await openRemoteBackend({targetModel: source.modelId, maxTokens: 512, tokenizerSource: source, ...options})).backend,
	});
}

function vectorsByMessage(paths: WorkspacePaths): Map<string, Float32Array> {
	return new Map(targetRows(paths.database).map(row => [row.message_id, decodeVector(row.vector_data, row.dimension)]));
}


describe('migrate through embedding servers', () => {
	it('migrates a demo workspace through one serve endpoint with the local run\'s vectors', async () => {
		const [remotePaths, localPaths] = await Promise.all([demoWorkspace(), demoWorkspace()]);
		const serving = await serveWorkspace(openWorkspace(remotePaths.root), {port: 0, device: 'cpu'});
		try {
			const outcome = await remoteMigration(remotePaths, {endpoints: [serving.url], expectedDimension: 48}).run();
			assert.equal(outcome.status, 'done');
		} finally {
			await serving.close();
		}

		assert.equal((await new Migration({workspace: openWorkspace(localPaths.root), faults: noFaults}).run()).status, 'done');
		const remote = vectorsByMessage(remotePaths);
		const local = vectorsByMessage(localPaths);
		assert.deepEqual([...remote.keys()].sort(), targetMessageIds(remotePaths.database).sort(), 'every target message exactly once');
		assert.equal(targetRows(remotePaths.database).length, remote.size, 'no message twice');
		const texts = messageTexts(remotePaths.database);
		let worst = 0;
		let changed = 0;
		for (const [id, vector] of remote) {
			// Both paths apply the bot's text rule; count the texts it changes so the test shows they were compared too.
			changed += botPreprocess(texts.get(id)!) === texts.get(id) ? 0 : 1;
			worst = Math.max(worst, ...Array.from(vector, (value, index) => Math.abs(value - local.get(id)![index]!)));
		}

		assert.ok(remote.size > 0, 'the remote run embedded messages');
		assert.ok(worst <= 1e-4, `max abs diff from the local run: ${worst} (${changed} changed by the rule)`);
	});

	it('migrates through two faulty endpoints, one dying mid-run, each message once, indexes readable', async () => {
		const paths = await demoWorkspace();
		const flaky = await startFaultServer({dimension: 48, errorRate: 0.2, rateLimitEvery: 7, retryAfterSeconds: 0.05, maxBatch: 8, seed: 11});
		const dying = await startFaultServer({dimension: 48, dieAfter: 6, latencyMs: 2});
		servers.push(flaky, dying);
		const events: PoolEvent[] = [];
		const migration = remoteMigration(paths, {
			endpoints: [flaky.url, dying.url],
			expectedDimension: 48,
			pool: {backoffBaseMs: 5, backoffMaxMs: 50, failuresToTakeOut: 2, cooldownMs: 200, onEvent: event => events.push(event)},
		});
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.equal(outcome.status === 'done' ? outcome.failed : -1, 0);
		const texts = messageTexts(paths.database);
		const rows = targetRows(paths.database);
		assert.deepEqual(rows.map(row => row.message_id).sort(), targetMessageIds(paths.database).sort());
		for (const row of rows) {
			const expected = expectedVector(botPreprocess(texts.get(row.message_id)!), 48);
			assert.deepEqual(Array.from(decodeVector(row.vector_data, row.dimension)), Array.from(expected), `vector of ${row.message_id}`);
		}

		assert.ok(events.some(event => event.type === 'endpoint:out' && event.endpoint === dying.url), 'the dead endpoint was taken out');
		assert.ok(events.some(event => event.type === 'endpoint:batch:halve' && event.endpoint === flaky.url), '413 halved the batch');
		for (const channel of checkIndexesWithPython(paths.indices)) {
			assert.deepEqual(channel.problems, []);
			assert.equal(channel.self_retrieval_misses, 0);
		}
	});

	it('plugs into Migration through remoteEmbedderLoader, measuring the target dimension from local weights', async () => {
		const paths = await demoWorkspace();
		const server = await startFaultServer({dimension: 48});
		servers.push(server);
		const workspace = openWorkspace(paths.root);
		const warnings: string[] = [];
		const loadEmbedder = remoteEmbedderLoader(workspace.memory, {endpoint: server.url}, {}, {warn: line => warnings.push(line)});
		assert.equal(remoteEmbedderLoader(workspace.memory, {}, {}), undefined, 'no endpoint: the local model');
		const outcome = await new Migration({workspace, faults: noFaults, loadEmbedder}).run();
		assert.equal(outcome.status, 'done');
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
		// The fault server's vectors are not the demo model's: the agreement check warns, and does not refuse.
		assert.equal(warnings.length, 1);
		assert.match(warnings[0]!, /^嵌入端點檢查警告: http:\/\/127\.0\.0\.1:\d+\/v1: cosine with the local model is -?0\.\d{4} \(< 0\.99\)/);
	});

	it('refuses an endpoint of the wrong dimension with exit 2 and writes nothing', async () => {
		const paths = await demoWorkspace();
		const before = dumpBotTables(paths.database);
		const wrong = await startFaultServer({dimension: 1024});
		servers.push(wrong);
		await assert.rejects(remoteMigration(paths, {endpoints: [wrong.url], expectedDimension: 48}).run(), (error: unknown) => {
			assert.ok(error instanceof EndpointRefusedError);
			assert.equal(error.code, 'endpoint');
			assert.equal(error.exitCode, exitCodes.config);
			assert.equal(error.message, `embedding endpoint ${wrong.url} cannot be used: answers 1024-d vectors, the target is 48-d`);
			return true;
		});
		assert.deepEqual(dumpBotTables(paths.database), before);
		assert.equal(existsSync(paths.databaseBackup), false, 'no backup was made');
		assert.equal(existsSync(paths.settingsBackup), false);
	});
});
