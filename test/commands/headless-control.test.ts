import assert from 'node:assert/strict';
import {existsSync, statSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {describe, it} from 'node:test';
import {controlSocketPath} from '../../source/engine/control/protocol.js';
import {startCli} from '../helpers/cli.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../helpers/workspace.js';


describe('a headless run serves its control channel', () => {
	it('a second migrate --no-ui follows the live run instead of starting another, and the socket is 0600', {timeout: 120_000}, async () => {
		const paths = await demoWorkspace();
		const socket = controlSocketPath(paths.lock);
		// A stall in the second batch keeps the first run alive long enough to be found.
		const owner = startCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes'], {QWEN3_MIGRATE_FAULTS: 'slow@batch=2:4000'});
		for (let waited = 0; !existsSync(socket) && waited < 60_000; waited += 100) {
			await sleep(100);
		}

		assert.ok(existsSync(socket), 'the running migration serves data/memory/qwen3-migrate/control.sock');
		assert.equal(statSync(socket).mode & 0o777, 0o600);
		const follower = await startCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes']).done;
		assert.equal(follower.status, 0, follower.output);
		assert.match(follower.output, /already running in another process; following its progress/);
		assert.match(follower.output, /\[(embed|catchup|index|verify|cutover|done)\]/, 'the same progress lines, from the other run');
		const first = await owner.done;
		assert.equal(first.status, 0, first.output);
		assert.ok(!existsSync(socket), 'the channel goes with its run');
		assert.deepEqual(targetRows(paths.database).map(row => row.message_id).sort(), targetMessageIds(paths.database).sort(), 'one run embedded every message once');
	});
});
