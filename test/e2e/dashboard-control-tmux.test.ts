import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import {after, describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {ControlClient} from '../../source/engine/control/client.js';
import {controlSocketPath} from '../../source/engine/control/protocol.js';
import {cliPath, runCli} from '../helpers/cli.js';
import {TmuxSession, type TmuxOptions} from '../helpers/tmux.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../helpers/workspace.js';
import {duplicateTargetRows, latestRunState} from './run-record.js';

const sourceModel = 'sentence-transformers/paraphrase-multilingual-mpnet-base-v2';
/** Lines the headless progress printer writes (commands/shared/progress-printer.ts). */
const progressLine = /^\[(embed|catchup|index|verify|cutover)\] \d+\/\d+ \(\d+\.\d%\) · .+ · ETA .+ · batch \d+ · cpu/;

/**
 * Two stalled model calls (the 3rd and the 7th wait 6 s): a run another login owns is still going
 * when the second process has started, on any machine, without the test sleeping.
 */
const stalls = {QWEN3_MIGRATE_FAULTS: 'slow@batch=3:6000,slow@batch=7:6000'};
const runningWorkspace = async () => demoWorkspace({messages: 2500, channels: 3, targetHidden: 256, targetLayers: 4});

const botModel = (settingsFile: string) => (JSON.parse(readFileSync(settingsFile, 'utf8')) as {memory_system: {embedding_model: string}}).memory_system.embedding_model;

/** Connects to a run's control channel as another login would, once the run serves it. */
async function connectWhenServed(lockFile: string, readOnly = false): Promise<ControlClient> {
	const socket = controlSocketPath(lockFile);
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (existsSync(socket)) {
			try {
				return await ControlClient.connect(socket, {readOnly});
			} catch {
				// Bound a moment before it answers: try again.
			}
		}

		await sleep(50);
	}

	throw new Error(`no control channel at ${socket}`);
}

describe('dashboard control in a real terminal (tmux)', () => {
	const sessions: TmuxSession[] = [];
	const clients: ControlClient[] = [];
	const open = (arguments_: string, options: TmuxOptions = {}) => {
		const session = new TmuxSession(`node ${cliPath} ${arguments_}`, {columns: 100, rows: 30, ...options});
		sessions.push(session);
		return session;
	};

	after(() => {
		for (const client of clients) {
			client.close();
		}

		for (const session of sessions) {
			session.kill();
		}
	});

	it('Ctrl+C during the cut-over asks first: staying is the default; y stops safely (exit 130) and a rerun resumes exactly', async () => {
		const paths = await demoWorkspace();
		// The 2nd model call waits 3 s, so the control channel is found before the run leaves the embed phase.
		const session = open(`migrate --workspace ${paths.root} --yes --batch-size 16`, {env: {QWEN3_MIGRATE_FAULTS: 'slow@batch=2:3000'}});
		const client = await connectWhenServed(paths.lock);
		clients.push(client);
		// Paused as the index phase begins, the run holds at the start of its cut-over (whose final
		// catch-up waits while paused) however fast the machine is: the test never races it.
		await new Promise<void>(resolve => {
			client.events.on('run:phase:enter', ({phase}) => {
				if (phase === 'index') {
					client.control.pause();
					resolve();
				}
			});
		});
		await session.waitFor(/PAUSED {2}phase: cutover/);
		session.sendKeys('C-c');
		await session.waitFor(/Quit during cut-over\?/, 5000);
		session.sendLiteral('n');
		const stayed = await session.waitFor(/PAUSED {2}phase: cutover/, 5000);
		assert.doesNotMatch(stayed, /Quit during cut-over\?/, 'any key but y stays');
		assert.equal(latestRunState(paths.database)?.status, 'running');
		session.sendKeys('C-c');
		await session.waitFor(/Quit during cut-over\?/, 5000);
		session.sendLiteral('y');
		assert.equal(await session.exitCode(), 130);
		const stopped = latestRunState(paths.database);
		assert.deepEqual([stopped?.status, stopped?.phase], ['aborted', 'cutover']);
		assert.equal(botModel(paths.settings), sourceModel, 'stopped before the switch: the bot still uses the old model');
		const embedded = targetRows(paths.database).map(row => row.id).sort((a, b) => a - b);
		assert.equal(embedded.length, targetMessageIds(paths.database).length, 'every message was embedded before the cut-over');
		const rerun = runCli(['migrate', '--workspace', paths.root, '--yes', '--no-ui']);
		assert.equal(rerun.status, 0, rerun.stderr);
		assert.equal(latestRunState(paths.database)?.status, 'done');
		assert.notEqual(botModel(paths.settings), sourceModel, 'the rerun switched the bot over');
		assert.deepEqual(
			targetRows(paths.database).map(row => row.id).sort((a, b) => a - b),
			embedded,
			'the rerun resumed at the cut-over: the same vectors, none embedded again',
		);
		assert.equal(duplicateTargetRows(paths.database), 0);
	});

	it('R from an attached dashboard pauses the live run and asks; once confirmed it stops the run, rolls back and shows the result', async () => {
		const paths = await runningWorkspace();
		const settingsBefore = readFileSync(paths.settings, 'utf8');
		// The run belongs to another login's headless migrate.
		const owner = open(`migrate --workspace ${paths.root} --yes --no-ui --batch-size 16`, {env: stalls});
		await owner.waitFor(/\[embed\] [1-9]\d*\/\d+/);
		const dashboard = open(`dashboard --workspace ${paths.root}`);
		await dashboard.waitFor(/attached to the run of process \d+/);
		await dashboard.waitFor(/RUNNING/);
		// A watcher of its own sees what the owner's run does while the dialog covers the screen.
		const watcher = await connectWhenServed(paths.lock, true);
		clients.push(watcher);
		const paused = new Promise<void>(resolve => {
			watcher.onSnapshot(snapshot => snapshot.paused && resolve());
		});
		dashboard.sendKeys('R');
		await dashboard.waitFor(/Roll back the migration\?/, 5000);
		await paused;
		assert.equal(latestRunState(paths.database)?.status, 'running', 'only asked: the run is paused, not stopped');
		dashboard.sendLiteral('rollback');
		dashboard.sendKeys('Enter');
		const result = await dashboard.waitFor(/ROLLED BACK/, 60_000);
		assert.match(result, /rolled back: [1-9]\d* new vectors removed/);
		assert.equal(await owner.exitCode(), 130, 'the owner\'s run was stopped, as Ctrl+C stops it');
		assert.equal(targetRows(paths.database).length, 0, 'no new-model rows left');
		assert.equal(readFileSync(paths.settings, 'utf8'), settingsBefore);
		dashboard.sendKeys('q');
		assert.equal(await dashboard.exitCode(), 0);
	});

	it('migrate --no-ui on a workspace whose run another process owns follows it and prints the same progress lines', async () => {
		const paths = await runningWorkspace();
		const owner = open(`migrate --workspace ${paths.root} --yes --no-ui --batch-size 16`, {env: stalls});
		await owner.waitFor(/\[embed\] [1-9]\d*\/\d+/);
		const follower = open(`migrate --workspace ${paths.root} --yes --no-ui`);
		await follower.waitFor(/already running in another process; following its progress/);
		assert.equal(await owner.exitCode(120_000), 0);
		assert.equal(await follower.exitCode(30_000), 0);
		const lines = (session: TmuxSession) => session.screen().split('\n').filter(line => progressLine.test(line));
		const [ownerLines, followerLines] = [lines(owner), lines(follower)];
		assert.ok(followerLines.length > 0, `the follower printed progress lines:\n${follower.screen()}`);
		assert.ok(followerLines.some(line => line.startsWith('[embed]')), 'from the embed phase on');
		const last = (list: string[]) => /^\[(\w+)\] (\d+\/\d+)/.exec(list.at(-1)!)!.slice(1);
		assert.deepEqual(last(followerLines), last(ownerLines), 'both end on the same phase and count');
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
	});
});
