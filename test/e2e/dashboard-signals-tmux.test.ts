import assert from 'node:assert/strict';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {cliPath, runCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp.js';
import {isAlive, readPid, TmuxSession} from '../helpers/tmux.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../helpers/workspace.js';
import {duplicateTargetRows, latestRunState} from './run-record.js';

const runningWorkspace = async () => demoWorkspace({messages: 2500, channels: 3, targetHidden: 256, targetLayers: 4});
/**
 * The demo run takes seconds: its 3rd model call waits 8 s, so a key or signal sent once progress
 * shows lands mid-run on any machine, without the test sleeping.
 */
const slowThirdBatch = {QWEN3_MIGRATE_FAULTS: 'slow@batch=3:8000'};

async function waitUntil(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (check()) {
			return;
		}

		await sleep(200);
	}

	assert.fail(`timed out waiting until ${what}`);
}

describe('dashboard signals in a real terminal (tmux)', () => {
	const sessions: TmuxSession[] = [];
	after(() => {
		for (const session of sessions) {
			session.kill();
		}
	});

	it('Ctrl+C stops the run safely (exit 130, run "aborted"), and the next migrate resumes it exactly', async () => {
		const paths = await runningWorkspace();
		const session = new TmuxSession(`node ${cliPath} migrate --workspace ${paths.root} --yes --batch-size 16`, {env: slowThirdBatch});
		sessions.push(session);
		await session.waitFor(/RUNNING/);
		await session.waitFor(/[1-9]\d*\/\d+ /);
		session.sendKeys('C-c');
		assert.equal(await session.exitCode(), 130);
		const stopped = latestRunState(paths.database);
		assert.equal(stopped?.status, 'aborted');
		assert.ok(stopped.done < stopped.total, 'stopped mid-run');
		const resumed = runCli(['migrate', '--workspace', paths.root, '--yes', '--no-ui']);
		assert.equal(resumed.status, 0, resumed.stderr);
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
		assert.equal(duplicateTargetRows(paths.database), 0);
	});

	it('kill -INT to the dashboard process stops the run the same way', async () => {
		const paths = await runningWorkspace();
		const pidFile = path.join(makeTempDir('qwen3-pid-'), 'pid');
		const session = new TmuxSession(`node ${cliPath} migrate --workspace ${paths.root} --yes --batch-size 16`, {pidFile, env: slowThirdBatch});
		sessions.push(session);
		await session.waitFor(/RUNNING/);
		process.kill(readPid(pidFile), 'SIGINT');
		assert.equal(await session.exitCode(), 130);
		assert.equal(latestRunState(paths.database)?.status, 'aborted');
	});

	it('a run started from the dashboard survives a closed terminal (SIGHUP) and finishes', async () => {
		const paths = await runningWorkspace();
		const pidFile = path.join(makeTempDir('qwen3-pid-'), 'pid');
		const session = new TmuxSession(`node ${cliPath} dashboard --workspace ${paths.root}`, {pidFile, env: slowThirdBatch});
		sessions.push(session);
		await session.waitFor(/IDLE/);
		session.sendKeys('s');
		await session.waitFor(/RUNNING/);
		const pid = readPid(pidFile);
		const before = latestRunState(paths.database);
		session.kill();
		assert.ok(before === undefined || (before.status === 'running' && before.done < before.total), `the terminal closed mid-run: ${JSON.stringify(before)}`);
		await waitUntil(() => latestRunState(paths.database)?.status === 'done', 'the run is done');
		await waitUntil(() => !isAlive(pid), 'the process exits after the run', 30_000);
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
	});

	it('survives a killed tmux window while paused; a new dashboard attaches with full control, a read-only one watches, and the run finishes', async () => {
		const paths = await runningWorkspace();
		const pidFile = path.join(makeTempDir('qwen3-pid-'), 'pid');
		const first = new TmuxSession(`node ${cliPath} dashboard --workspace ${paths.root}`, {pidFile, env: slowThirdBatch});
		sessions.push(first);
		await first.waitFor(/IDLE/);
		first.sendKeys('s');
		await first.waitFor(/RUNNING/);
		// Paused, the run cannot finish before the new login attaches: the test never races it.
		first.sendKeys('p');
		await first.waitFor(/PAUSED/);
		const owner = readPid(pidFile);
		first.kill();
		await sleep(500);
		assert.ok(isAlive(owner), 'the run outlives its terminal');
		const watcher = new TmuxSession(`node ${cliPath} dashboard --workspace ${paths.root} --read-only`);
		sessions.push(watcher);
		const watched = await watcher.waitFor(/PAUSED/);
		assert.match(watched, /attached to the run of process \d+|read-only/);
		const second = new TmuxSession(`node ${cliPath} dashboard --workspace ${paths.root}`);
		sessions.push(second);
		await second.waitFor(/PAUSED/);
		second.sendKeys('b');
		await second.waitFor(/batch: 32 → 16 \(pending\)/, 10_000);
		await watcher.waitFor(/batch: 32 → 16 \(pending\)|batch: 16 /, 10_000);
		second.sendKeys('p');
		await second.waitFor(/RUNNING|DONE/);
		await watcher.waitFor(/RUNNING|DONE/);
		second.sendKeys('d');
		assert.equal(await second.exitCode(), 0, 'd detaches');
		await waitUntil(() => latestRunState(paths.database)?.status === 'done', 'the run is done');
		await waitUntil(() => !isAlive(owner), 'the owner exits after its run', 30_000);
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
	});
});
