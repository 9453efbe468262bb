import assert from 'node:assert/strict';
import {after, describe, it} from 'node:test';
import {runCli, runCliAsync} from '../helpers/cli.js';
import {startFaultServer, type FaultServer} from '../helpers/fault-server.js';
import {demoWorkspace} from '../helpers/workspace.js';

const servers: FaultServer[] = [];
after(async () => Promise.all(servers.map(async server => server.close())));


describe('--endpoint on migrate, plan and check', () => {
	it('plan --endpoint A --endpoint B times both servers together, each named with its rate', async () => {
		const paths = await demoWorkspace({messages: 100});
		const first = await startFaultServer({dimension: 48, latencyMs: 20});
		const second = await startFaultServer({dimension: 48, latencyMs: 20});
		servers.push(first, second);
		const result = await runCliAsync(['plan', '--workspace', paths.root, '--endpoint', first.url, '--endpoint', second.url]);
		assert.match(result.output, /time: about .+ through 2 endpoints \(measured [\d.]+ messages\/s together: \S+ [\d.]+\/s at \d+ in flight, \d+ ms a request; /, result.output);
		assert.ok(result.output.includes(`${first.url} `) && result.output.includes(`${second.url} `), result.output);
		assert.ok(first.requests > 1 && second.requests > 1, 'both servers were timed');
	});

	it('refuses a bad URL in any of the repeated values, naming it, before touching the workspace (exit 2)', async () => {
		const paths = await demoWorkspace({messages: 20});
		for (const command of ['migrate', 'plan', 'check']) {
			const extra = command === 'migrate' ? ['--no-ui', '--yes'] : [];
			const result = runCli([command, '--workspace', paths.root, ...extra, '--endpoint', 'http://127.0.0.1:9/v1', '--endpoint', 'ftp://gpu2/v1']);
			assert.equal(result.status, 2, `${command}: ${result.stdout}${result.stderr}`);
			assert.match(result.stderr, /--endpoint: "ftp:\/\/gpu2\/v1" is not an http\(s\) URL/, command);
		}
	});

	it('still refuses a repeat of a flag that is not repeatable', () => {
		const result = runCli(['plan', '--workspace', 'a', '--workspace', 'b']);
		assert.equal(result.status, 2);
		assert.match(result.stderr, /--workspace is given more than once/);
		const batch = runCli(['migrate', '--batch-size', '8', '--batch-size', '16']);
		assert.equal(batch.status, 2);
		assert.match(batch.stderr, /--batch-size is given more than once/);
	});

	it('lists --endpoint in every help as repeatable', () => {
		for (const command of ['migrate', 'plan', 'check']) {
			const help = runCli([command, '--help']).stdout;
			assert.match(help, /--endpoint URL\s+Embed through OpenAI-compatible servers \(a base URL; repeat it or comma-separate/, command);
		}
	});
});
