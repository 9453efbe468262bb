import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {demoWorkspace} from '../helpers/workspace.js';

describe('--endpoint on migrate and check', () => {
	it('refuses a bad URL in any of the repeated values, naming it, before touching the workspace (exit 2)', async () => {
		const paths = await demoWorkspace({messages: 20});
		for (const command of ['migrate', 'check']) {
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
		for (const command of ['migrate', 'check']) {
			const help = runCli([command, '--help']).stdout;
			assert.match(help, /--endpoint URL\s+Embed through OpenAI-compatible servers \(a base URL; repeat it or comma-separate/, command);
		}
	});
});
