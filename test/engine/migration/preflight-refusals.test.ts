import assert from 'node:assert/strict';
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {runCli} from '../../helpers/cli.js';
import {dumpBotTables, demoWorkspace} from '../../helpers/workspace.js';

function setMigrationKey(settingsFile: string, key: string, value: unknown): void {
	const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as {memory_system: {migration: Record<string, unknown>}};
	settings.memory_system.migration[key] = value;
	writeFileSync(settingsFile, JSON.stringify(settings, undefined, 2));
}

/** Names of every file under a directory, with sizes: a before/after fingerprint. */
function listing(directory: string): string[] {
	return readdirSync(directory, {recursive: true, withFileTypes: true})
		.filter(entry => entry.isFile())
		.map(entry => {
			const file = path.join(entry.parentPath, entry.name);
			return `${path.relative(directory, file)} ${statSync(file).size}`;
		})
		.sort();
}

describe('preflight refusals write nothing and leave no lock', () => {
	it('refuses output_dimension 512 for a Qwen3 profile with exit 2, naming 1024', async () => {
		const paths = await demoWorkspace();
		setMigrationKey(paths.settings, 'output_dimension', 512);
		const before = {tables: dumpBotTables(paths.database), files: listing(paths.root)};
		const result = runCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes']);
		assert.equal(result.status, 2, result.stderr);
		assert.match(result.stderr, /output_dimension 512: the bot's profile qwen3_\w+ reads 1024-d vectors/);
		assert.match(result.stderr, /--allow-dimension-mismatch/);
		assert.deepEqual(dumpBotTables(paths.database), before.tables);
		assert.deepEqual(listing(paths.root), before.files);
		assert.ok(!existsSync(paths.lock), 'no lock left behind');
	});

	it('refuses a 0-byte database with exit 2 and leaves it 0 bytes', async () => {
		const paths = await demoWorkspace();
		writeFileSync(paths.database, '');
		const result = runCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes']);
		assert.equal(result.status, 2, result.stderr);
		assert.match(result.stderr, /memory\.db: the file is empty \(0 bytes\), not a SQLite database/);
		assert.equal(statSync(paths.database).size, 0);
		assert.ok(!existsSync(`${paths.database}-wal`));
		assert.ok(!existsSync(paths.lock), 'exit 2 releases the lock');
	});

	it('refuses a file of random bytes as the database, unchanged', async () => {
		const paths = await demoWorkspace();
		const bytes = Buffer.from(Array.from({length: 8192}, (_value, index) => (index * 131 + 7) % 256));
		writeFileSync(paths.database, bytes);
		const result = runCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes']);
		assert.equal(result.status, 2, result.stderr);
		assert.match(result.stderr, /memory\.db: file is not a database\n {2}fix: restore it/);
		assert.deepEqual(readFileSync(paths.database), bytes);
		assert.ok(!existsSync(paths.lock));
	});

	it('clears a lock whose pid was reused by another process (start time differs), with a log line', {timeout: 180_000}, async () => {
		const paths = await demoWorkspace();
		// This test's own pid is alive, but its start time is not the one the lock recorded.
		const {mkdirSync} = await import('node:fs');
		mkdirSync(path.dirname(paths.lock), {recursive: true});
		writeFileSync(paths.lock, JSON.stringify({pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00Z', command: 'migrate', processStart: 1}));
		const result = runCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes'], {timeoutMs: 170_000});
		assert.equal(result.status, 0, result.stderr);
		const logs = readdirSync(paths.logs).map(name => readFileSync(path.join(paths.logs, name), 'utf8')).join('');
		assert.match(logs, new RegExp(`清除過期的遷移鎖 \\(pid ${process.pid} `));
		assert.ok(!existsSync(paths.lock));
	});
});
