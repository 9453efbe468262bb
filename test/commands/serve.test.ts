import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {createServer} from 'node:net';
import {describe, it} from 'node:test';
import {cliPath, runCli} from '../helpers/cli.js';
import {demoWorkspace} from '../helpers/workspace.js';

/** Starts `serve`, resolves with its URL once it says it is serving. */
function startServe(arguments_: string[]) {
	const child = spawn(process.execPath, [cliPath, 'serve', ...arguments_], {env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
	const url = new Promise<string>((resolve, reject) => {
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
			const match = /at (http:\/\/\S+\/v1)/.exec(stdout);
			if (match) {
				resolve(match[1]!);
			}
		});
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		void exited.then(code => reject(new Error(`serve exited ${code}: ${stderr}`)));
	});
	return {child, url, exited, output: () => ({stdout, stderr})};
}

describe('serve command', () => {
	it('serves the workspace\'s model on localhost and stops cleanly on SIGTERM', async () => {
		const paths = await demoWorkspace();
		const serve = startServe(['--port', '0', '--workspace', paths.root]);
		const url = await serve.url;
		assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
		const response = await fetch(`${url}/embeddings`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({input: ['hello'], model: 'Qwen/Qwen3-Embedding-0.6B'})});
		const body = (await response.json()) as {data: Array<{embedding: number[]}>; usage: {prompt_tokens: number}};
		assert.equal(body.data[0]!.embedding.length, 48);
		assert.ok(body.usage.prompt_tokens > 0);
		serve.child.kill('SIGTERM');
		assert.equal(await serve.exited, 0);
		assert.match(serve.output().stdout, /serving Qwen\/Qwen3-Embedding-0\.6B \(48-d, cpu\) at http:\/\/127\.0\.0\.1:\d+\/v1; Ctrl-C stops\nstopping: answering the requests in progress\nstopped\n$/);
	});

	it('refuses a port in use with exit 2 and a fix', async () => {
		const paths = await demoWorkspace();
		const blocker = createServer();
		await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve));
		const {port} = blocker.address() as {port: number};
		try {
			const result = runCli(['serve', '--port', String(port), '--workspace', paths.root]);
			assert.equal(result.status, 2);
			assert.equal(result.stderr, `qwen3-migrate: cannot listen on 127.0.0.1:${port}: the port is in use\n  fix: pick another --port (or --host)\n`);
		} finally {
			blocker.close();
		}
	});
});
