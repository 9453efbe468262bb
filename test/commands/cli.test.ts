import assert from 'node:assert/strict';
import {existsSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp.js';

describe('cli', () => {
	it('teaches with --help: usage, commands, examples', () => {
		const result = runCli(['--help']);
		assert.equal(result.status, 0);
		assert.match(result.stdout, /Usage/);
		assert.match(result.stdout, /demo/);
		assert.match(result.stdout, /Examples/);
		const demo = runCli(['demo', '--help']);
		assert.equal(demo.status, 0);
		assert.match(demo.stdout, /--messages N/);
	});

	it('rejects unknown commands and flags with one line and exit code 2', () => {
		const unknown = runCli(['frobnicate']);
		assert.equal(unknown.status, 2);
		assert.match(unknown.stderr, /^qwen3-migrate: unknown command "frobnicate"\n {2}fix: /);
		const flag = runCli(['demo', '/tmp/x', '--nope']);
		assert.equal(flag.status, 2);
		assert.match(flag.stderr, /unknown option --nope for "demo"/);
		assert.doesNotMatch(flag.stderr, /at .*\.js:\d+/, 'no stack trace');
	});

	it('takes the guide\'s spelling: --migrate --batch-size=10 --strategy=regenerate reaches the workspace check', () => {
		const missing = path.join(makeTempDir(), 'nope');
		const result = runCli(['--migrate', '--batch-size=10', '--strategy=regenerate', '--workspace', missing, '--no-ui', '--yes']);
		assert.equal(result.status, 2);
		assert.match(result.stderr, /^qwen3-migrate: workspace .*nope does not exist/);
		const badValue = runCli(['--migrate', '--strategy=rewrite', '--workspace', missing]);
		assert.equal(badValue.status, 2);
		assert.match(badValue.stderr, /^qwen3-migrate: --strategy: expected one of regenerate, transform, pad, truncate, received "rewrite"\n {2}fix: /);
	});

	it('demo refuses bad counts without writing anything', () => {
		const target = path.join(makeTempDir(), 'ws');
		const result = runCli(['demo', target, '--messages', '-5', '--no-ui']);
		assert.equal(result.status, 2);
		assert.match(result.stderr, /--messages: expected a positive integer/);
		assert.equal(existsSync(target), false);
	});

	it('migrate refuses a bad --keep-backups before touching the workspace', () => {
		const directory = makeTempDir();
		const result = runCli(['migrate', '--workspace', directory, '--keep-backups', '-1', '--no-ui', '--yes']);
		assert.equal(result.status, 2);
		assert.match(result.stderr, /--keep-backups: expected an integer from 0 to 1000, received -1\n {2}fix: /);
		assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, 'no stack trace');
	});

	it('demo refuses a directory that already holds files', () => {
		const directory = makeTempDir();
		writeFileSync(path.join(directory, 'settings.json'), '{}');
		const result = runCli(['demo', directory, '--no-ui']);
		assert.equal(result.status, 2);
		assert.match(result.stderr, /directory is not empty/);
	});

	it('demo --json prints a summary scripts can read', () => {
		const target = path.join(makeTempDir(), 'ws');
		const result = runCli(['demo', target, '--messages', '50', '--channels', '2', '--no-ui', '--json']);
		assert.equal(result.status, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as {messages: number; root: string};
		assert.equal(summary.messages, 50);
		assert.equal(summary.root, target);
	});
});
