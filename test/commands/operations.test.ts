import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {gunzipSync} from 'node:zlib';
import {spawnSync} from 'node:child_process';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {hashTree} from '../../source/engine/migration/backup.js';
import {FaultInjector} from '../../source/engine/migration/faults.js';
import {Migration} from '../../source/engine/migration/migration.js';
import {loadSettings} from '../../source/engine/settings/load.js';
import {commands} from '../../source/commands/registry.js';
import {runCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp.js';
import {demoWorkspace, dumpBotTables, targetRows} from '../helpers/workspace.js';
import {openWorkspace} from '../../source/engine/workspace.js';

const json = <T>(text: string) => JSON.parse(text) as T;
const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `no stack trace in: ${stderr}`);

async function migrated(faults = '') {
	const paths = await demoWorkspace();
	await new Migration({workspace: openWorkspace(paths.root), faults: FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: faults})}).run();
	return paths;
}

describe('check', () => {
	it('reports each item with a status, exit 0 on a healthy workspace, and answers to --check-only', async () => {
		const paths = await demoWorkspace();
		const result = runCli(['check', '--workspace', paths.root, '--json']);
		assert.equal(result.status, 0, result.stdout + result.stderr);
		const report = json<{ok: boolean; items: Array<{id: string; status: string}>}>(result.stdout);
		const ids = report.items.map(item => item.id);
		for (const id of ['node', 'settings', 'database', 'schema', 'vectors', 'processes', 'better-sqlite3', 'faiss-node', 'onnxruntime-node', 'model-target', 'gpu', 'ram', 'disk']) {
			assert.ok(ids.includes(id), id);
		}

		const alias = runCli(['--check-only', '--workspace', paths.root]);
		assert.equal(alias.status, 0);
		assert.match(alias.stdout, /✅ database: /);
	});

	it('names a corrupted database and ill-typed settings with their fixes, exit 1, no stack trace', async () => {
		const paths = await demoWorkspace();
		writeFileSync(paths.database, randomBytes(16_384));
		const corrupt = runCli(['check', '--workspace', paths.root]);
		assert.equal(corrupt.status, 1);
		assert.match(corrupt.stdout, /❌ database: .*not a database/);
		noStack(corrupt.stderr);
		writeFileSync(paths.settings, '{"memory_system": {"performance": {"batch_size": "lots"}}}');
		const settings = runCli(['check', '--workspace', paths.root]);
		assert.equal(settings.status, 1);
		assert.match(settings.stdout, /❌ settings: .*batch_size: expected a number, received "lots"/);
	});
});

describe('plan', () => {
	it('says what migrate would do, with a measured estimate, and leaves the workspace byte-identical', async () => {
		const paths = await demoWorkspace();
		const before = hashTree(paths.root);
		const result = runCli(['plan', '--workspace', paths.root, '--json']);
		assert.equal(result.status, 0, result.stderr);
		const plan = json<{counts: {total: number; remaining: number; blank: number}; target: {dimension: number}; probe: {textsPerSecond: number; estimatedSeconds: number}}>(result.stdout);
		assert.equal(plan.counts.total, plan.counts.remaining);
		assert.ok(plan.counts.blank > 0);
		assert.equal(plan.target.dimension, 48);
		assert.ok(plan.probe.textsPerSecond > 0 && Number.isFinite(plan.probe.estimatedSeconds));
		assert.deepEqual(hashTree(paths.root), before, 'nothing written, no -wal/-shm left');
		const alias = runCli(['--dry-run', '--workspace', paths.root, '--no-probe']);
		assert.equal(alias.status, 0);
		assert.match(alias.stdout, /Nothing was written/);
		assert.deepEqual(hashTree(paths.root), before);
	});
});

describe('verify', () => {
	it('finds nothing after a clean migration', async () => {
		const paths = await migrated();
		const result = runCli(['verify', '--workspace', paths.root, '--json']);
		assert.equal(result.status, 0, result.stdout);
		assert.ok(json<{ok: boolean}>(result.stdout).ok);
	});

	it('counts and shows examples of every kind of inconsistency, and --fix repairs the safe ones', async () => {
		const paths = await migrated();
		const model = 'Qwen/Qwen3-Embedding-0.6B';
		const db = new Database(paths.database);
		db.pragma('foreign_keys = OFF');
		const row = db.prepare('SELECT * FROM embeddings WHERE model_version = ? LIMIT 1').get(model) as {message_id: string; channel_id: string; vector_data: Buffer};
		const insert = db.prepare('INSERT INTO embeddings (message_id, channel_id, user_id, vector_data, model_version, dimension) VALUES (?, ?, ?, ?, ?, ?)');
		insert.run(row.message_id, row.channel_id, 'u', row.vector_data, model, 48);
		insert.run('ghost-message', row.channel_id, 'u', row.vector_data, model, 48);
		const nan = new Float32Array(48).fill(Number.NaN);
		insert.run('ghost-nan', row.channel_id, 'u', Buffer.from(nan.buffer), 'other-model', 48);
		insert.run('ghost-short', row.channel_id, 'u', Buffer.alloc(10), 'other-model', 48);
		insert.run('ghost-zero', row.channel_id, 'u', Buffer.alloc(48 * 4), 'other-model', 48);
		db.close();
		const brokenChannel = readdirSync(paths.indices).find(name => name.endsWith('.index'))!.slice(0, -'.index'.length);
		rmSync(path.join(paths.indices, `${brokenChannel}.index`));

		const result = runCli(['verify', '--workspace', paths.root, '--json']);
		assert.equal(result.status, 1);
		const report = json<{findings: Array<{id: string; count: number; examples: string[]}>}>(result.stdout);
		const byId = Object.fromEntries(report.findings.map(item => [item.id, item]));
		assert.equal(byId.duplicates!.count, 1);
		assert.match(byId.duplicates!.examples[0]!, new RegExp(row.message_id));
		assert.equal(byId['orphaned-vectors']!.count, 4);
		assert.equal(byId['blob-length']!.count, 1);
		assert.equal(byId['blob-nan']!.count, 1);
		assert.equal(byId['blob-zero']!.count, 1);
		assert.ok(byId.indexes!.examples.some(example => example.includes(brokenChannel)));

		const fixed = runCli(['verify', '--workspace', paths.root, '--fix', '--yes', '--json']);
		const after = json<{findings: Array<{id: string; count: number}>; repaired: {duplicatesDeleted: number; channelsRebuilt: string[]; backups: string[]}}>(fixed.stdout);
		assert.equal(fixed.status, 1, 'orphaned vectors and broken blobs are not safe repairs: findings are left');
		assert.equal(after.repaired.duplicatesDeleted, 1);
		assert.deepEqual(after.repaired.channelsRebuilt, [brokenChannel]);
		assert.ok(after.repaired.backups.length > 0 && after.repaired.backups.every(file => existsSync(file)), `backups: ${after.repaired.backups.join(', ')}`);
		const afterById = Object.fromEntries(after.findings.map(item => [item.id, item]));
		assert.equal(afterById.duplicates!.count, 0);
		assert.equal(afterById.indexes!.count, 0);
		assert.ok(existsSync(path.join(paths.indices, `${brokenChannel}.index`)));
	});
});

describe('logs', () => {
	it('groups errors by signature, names the guide\'s problem, and reports each run\'s result', async () => {
		const paths = await migrated('oom@size>8');
		const result = runCli(['logs', '--workspace', paths.root, '--json']);
		assert.equal(result.status, 1, 'errors in the logs');
		const analysis = json<{groups: Array<{problem?: string; count: number; level: string}>; runs: Array<{successRate: string; succeeded: number}>; progress: string[]}>(result.stdout);
		const oom = analysis.groups.find(group => group.problem === 'gpu-oom' && group.level === 'ERROR');
		assert.ok(oom && oom.count >= 2, 'repeated out-of-memory errors fold into one group');
		assert.equal(analysis.runs.at(-1)?.successRate, '100.00');
		assert.match(analysis.progress.at(-1) ?? '', /遷移進度: 100\.0%/);
		const text = runCli(['logs', '--workspace', paths.root]);
		assert.match(text.stdout, /=== 遷移進度分析/);
		assert.match(text.stdout, /成功率 100\.00%/);
	});
});

describe('monitor', () => {
	it('takes one reading with --once', async () => {
		const paths = await demoWorkspace();
		const result = runCli(['monitor', '--workspace', paths.root, '--once', '--json']);
		assert.equal(result.status, 0, result.stderr);
		const report = json<{samples: Array<{memoryTotalBytes: number}>; leakSuspected: boolean}>(result.stdout);
		assert.equal(report.samples.length, 1);
		assert.ok(report.samples[0]!.memoryTotalBytes > 0);
		assert.equal(report.leakSuspected, false);
	});
});

describe('reset', () => {
	it('removes migration state and new-model rows, keeps messages and old vectors, restores example settings', async () => {
		const paths = await demoWorkspace();
		const before = dumpBotTables(paths.database);
		const indicesBefore = hashTree(paths.indices);
		await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		const unconfirmed = runCli(['reset', '--workspace', paths.root]);
		assert.equal(unconfirmed.status, 2);
		assert.match(unconfirmed.stderr, /^qwen3-migrate: reset needs confirmation, and there is no terminal to ask\n {2}fix: pass --yes/);
		const result = runCli(['reset', '--workspace', paths.root, '--yes', '--json']);
		assert.equal(result.status, 0, result.stderr);
		assert.equal(targetRows(paths.database).length, 0);
		const after = dumpBotTables(paths.database);
		assert.deepEqual(after.messages, before.messages);
		assert.deepEqual(after.embeddings, before.embeddings);
		assert.deepEqual(hashTree(paths.indices), indicesBefore, 'the old indexes come back after a cut-over');
		const {settings, raw} = loadSettings(paths.settings);
		assert.equal(settings.memory_system.embedding_model, 'sentence-transformers/paraphrase-multilingual-mpnet-base-v2');
		assert.ok('auto_update' in raw, 'the bot\'s other settings are kept');
		assert.match(readFileSync(paths.settings, 'utf8'), /"update_channel_id": 1208661941539704852/);
	});
});

describe('bundle', () => {
	it('collects versions, redacted settings, logs, check and verify, and no secret survives', async () => {
		const paths = await migrated();
		const secrets = ['MTIzNDU2Nzg5MDEyMzQ1Njc4.discord-bot-token', 'sk-openai-secret-value', 'https://discord.com/api/webhooks/1/abc', 'hunter2-password', 'nested-api-key-value'];
		const settings = JSON.parse(readFileSync(paths.settings, 'utf8')) as Record<string, unknown>;
		Object.assign(settings, {
			discord_token: secrets[0],
			openai: {api_key: secrets[1], models: [{name: 'x', secret: secrets[4]}]},
			notification_webhook: secrets[2],
			database: {password: secrets[3]},
		});
		writeFileSync(paths.settings, JSON.stringify(settings, undefined, 2));
		const out = path.join(makeTempDir(), 'support.tar.gz');
		const result = runCli(['bundle', '--workspace', paths.root, '--out', out]);
		assert.equal(result.status, 0, result.stderr);
		const unpacked = gunzipSync(readFileSync(out)).toString('utf8');
		for (const secret of secrets) {
			assert.ok(!unpacked.includes(secret), `secret leaked: ${secret}`);
		}

		assert.match(unpacked, /\[REDACTED\]/);
		const listing = spawnSync('tar', ['-tzf', out], {encoding: 'utf8'});
		assert.equal(listing.status, 0);
		for (const name of ['system.json', 'settings.redacted.json', 'logs-tail.txt', 'check.json', 'verify.json', 'resources.json']) {
			assert.match(listing.stdout, new RegExp(name.replace('.', '\\.')));
		}

		assert.ok(statSync(out).size > 500);
	});
});

describe('bad input', () => {
	it('refuses a missing workspace in one line that names it, and creates nothing, for every command', () => {
		const missing = path.join(makeTempDir(), 'nope');
		const out = path.join(makeTempDir(), 'support.tar.gz');
		// Only flags each command takes: an unknown one would exit 2 before the workspace is looked at.
		const invocations: Array<[string, ...string[]]> = [
			['check'],
			['plan', '--no-probe'],
			['verify'],
			['logs'],
			['monitor', '--once'],
			['reset', '--yes'],
			['bundle', '--out', out],
			['migrate', '--yes', '--no-ui'],
			['rollback', '--yes'],
			['serve', '--port', '0'],
			['download'],
		];
		const takesWorkspace = commands.filter(command => 'workspace' in command.flags && command.name !== 'dashboard').map(command => command.name);
		assert.deepEqual(invocations.map(([command]) => command).sort(), takesWorkspace.sort(), 'every command with --workspace is covered (dashboard refuses without a terminal first)');
		const where = missing.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
		for (const [command, ...flags] of invocations) {
			const result = runCli([command, '--workspace', missing, ...flags]);
			assert.equal(result.status, 2, `${command}: ${result.stderr}`);
			// rollback looks for the settings.json it restores, and says that one is missing.
			assert.match(result.stderr, new RegExp(`^qwen3-migrate: (workspace ${where} does not exist|${where}/settings\\.json: not found)[^\\n]*\\n {2}fix: .*--workspace DIR`), command);
			noStack(result.stderr);
			assert.equal(existsSync(missing), false, `${command} created the workspace`);
		}

		assert.equal(existsSync(out), false);
	});

	it('reports a corrupted database in one line without writing, for plan and verify', async () => {
		const paths = await demoWorkspace();
		writeFileSync(paths.database, randomBytes(16_384));
		const before = hashTree(paths.root);
		for (const command of ['plan', 'verify']) {
			const result = runCli([command, '--workspace', paths.root]);
			assert.notEqual(result.status, 0);
			assert.match(result.stderr, /^qwen3-migrate: .*memory\.db: file is not a database\n {2}fix: /);
			noStack(result.stderr);
		}

		assert.deepEqual(hashTree(paths.root), before);
	});

	it('reports a database without the schema in one line', async () => {
		const paths = await demoWorkspace();
		rmSync(paths.database);
		new Database(paths.database).exec('CREATE TABLE unrelated (x)').close();
		const result = runCli(['verify', '--workspace', paths.root]);
		assert.equal(result.status, 2);
		assert.match(result.stderr, /no such table: channels, messages, embeddings/);
	});
});
