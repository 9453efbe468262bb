import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {PassThrough} from 'node:stream';
import {after, describe, it} from 'node:test';
import {checkCommand} from '../../source/commands/check.js';
import {cliPath} from '../helpers/cli.js';
import {startFaultServer, type FaultServer} from '../helpers/fault-server.js';
import {demoWorkspace} from '../helpers/workspace.js';

type Item = {id: string; status: string; title: string; detail: string};

const servers: FaultServer[] = [];
after(async () => Promise.all(servers.map(async server => server.close())));

/** `check --json` as a child that does not block this process (the test servers answer from here). */
async function checkJson(arguments_: string[]): Promise<{status: number | null; items: Item[]}> {
	return new Promise(resolve => {
		const child = spawn(process.execPath, [cliPath, 'check', '--json', ...arguments_], {stdio: ['ignore', 'pipe', 'inherit']});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		child.on('close', status => {
			resolve({status, items: (JSON.parse(output) as {items: Item[]}).items});
		});
	});
}

describe('check: golden scores and embedding servers', () => {
	it('Ctrl+C with no download under way: exit 130, no report, and no word of a download', async () => {
		const paths = await demoWorkspace();
		const stop = new AbortController();
		const stdout = new PassThrough();
		const stderr = new PassThrough();
		stop.abort();
		const code = await checkCommand.run(['--golden', '--workspace', paths.root], {stdout, stderr, env: {}, cwd: paths.root, interactive: false, signal: stop.signal});
		assert.equal(code, 130);
		assert.equal(String(stderr.read() ?? ''), 'stopped before the check finished (Ctrl+C); it changes nothing\n');
		assert.equal(stdout.read(), null, 'a check cut short reports nothing');
	});

	it('Ctrl+C while an embedding server is slow to answer stops the check at once (exit 130), not when the probe times out', async () => {
		const paths = await demoWorkspace();
		const slow = await startFaultServer({dimension: 48, latencyMs: 8000});
		servers.push(slow);
		const stop = new AbortController();
		const stderr = new PassThrough();
		setTimeout(() => stop.abort(), 300);
		const started = Date.now();
		const code = await checkCommand.run(['--workspace', paths.root, '--endpoint', slow.url], {stdout: new PassThrough(), stderr, env: {}, cwd: paths.root, interactive: false, signal: stop.signal});
		assert.equal(code, 130);
		assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
		assert.match(String(stderr.read() ?? ''), /^stopped before the check finished \(Ctrl\+C\)/);
	});

	it('--golden says plainly that the stand-in is not the real Qwen3 weights', async () => {
		const paths = await demoWorkspace();
		const {status, items} = await checkJson(['--workspace', paths.root, '--golden']);
		const golden = items.find(item => item.id === 'model-golden');
		assert.ok(golden, 'a golden item is reported');
		assert.equal(golden.status, 'fail');
		assert.match(golden.detail, /NOT the real Qwen3-Embedding-0\.6B/);
		assert.equal(status, 1);
	});

	it('--endpoint shows each server: reachable with model, dimension and latency, or the reason it cannot be used', async () => {
		const paths = await demoWorkspace();
		const good = await startFaultServer({dimension: 48});
		const wrong = await startFaultServer({dimension: 32});
		servers.push(good, wrong);
		const {items} = await checkJson(['--workspace', paths.root, '--endpoint', `${good.url},${wrong.url}`]);
		const rows = items.filter(item => item.id === 'endpoint');
		assert.equal(rows.length, 2);
		const goodRow = rows.find(item => item.title.includes(good.url))!;
		const wrongRow = rows.find(item => item.title.includes(wrong.url))!;
		assert.match(goodRow.detail, /reachable, model .+, 48-d, \d+ ms/);
		assert.equal(wrongRow.status, 'fail');
		assert.match(wrongRow.detail, /32-d/);
	});

	it('--endpoint may be repeated, mixed with commas; a URL given twice is probed once', async () => {
		const paths = await demoWorkspace();
		const first = await startFaultServer({dimension: 48});
		const second = await startFaultServer({dimension: 48});
		servers.push(first, second);
		const {items} = await checkJson(['--workspace', paths.root, '--endpoint', first.url, '--endpoint', `${second.url},${first.url}/`]);
		const titles = items.filter(item => item.id === 'endpoint').map(item => item.title);
		assert.deepEqual(titles, [`endpoint ${first.url}`, `endpoint ${second.url}`]);
	});
});
