import assert from 'node:assert/strict';
import {after, describe, it} from 'node:test';
import {cliPath} from '../helpers/cli.js';
import {TmuxSession} from '../helpers/tmux.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../helpers/workspace.js';
import {premigrate} from '../ui/premigrated.js';

describe('dashboard in a real terminal (tmux)', () => {
	const sessions: TmuxSession[] = [];
	after(() => {
		for (const session of sessions) {
			session.kill();
		}
	});

	it('shows the rows already migrated on the bar before any run (IDLE), read from the database', async () => {
		const paths = await demoWorkspace();
		premigrate(paths.database, 100, 48);
		const total = targetMessageIds(paths.database).length;
		const session = new TmuxSession(`node ${cliPath} dashboard --workspace ${paths.root}`, {columns: 100, rows: 30});
		sessions.push(session);
		const screen = await session.waitFor(new RegExp(`100/${total} `), 15_000);
		assert.match(screen, /IDLE/);
		assert.match(screen, new RegExp(`${((100 / total) * 100).toFixed(1).replace('.', '\\.')}%`));
		session.sendKeys('q');
		assert.equal(await session.exitCode(), 0);
	});

	it('names an injected out-of-memory problem, halves the batch on b, and finishes', async () => {
		assert.ok(TmuxSession.available(), 'tmux is installed (./setup.sh installs it)');
		const paths = await demoWorkspace({messages: 2500, channels: 3, targetHidden: 256, targetLayers: 4});
		const session = new TmuxSession(`node ${cliPath} migrate --workspace ${paths.root} --yes --batch-size 32`, {
			columns: 100,
			rows: 30,
			// CI=true as CI runners set it: the dashboard must draw in a real terminal all the same.
			env: {QWEN3_MIGRATE_FAULTS: 'oom@size>8', CI: 'true'},
		});
		sessions.push(session);
		const troubled = await session.waitFor(/GPU out of memory/);
		assert.match(troubled, /\[b\] halve the batch size/);
		await session.waitFor(/batch: 8 /);
		session.sendKeys('b');
		// At once "pending" (the engine applies it at its next batch), then applied, unless the run
		// had already left the embed phase.
		await session.waitFor(/batch: 8 → 4 \(pending\)|batch: 4 /, 5000);
		const done = await session.waitFor(/DONE/, 120_000);
		assert.match(done, /100\.0%/);
		session.sendKeys('q');
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
	});
});
