import assert from 'node:assert/strict';
import {readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {demoModelDirs} from '../../source/demo/create-workspace.js';
import {cliPath} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp.js';
import {TmuxSession, type TmuxOptions} from '../helpers/tmux.js';
import {demoWorkspace, targetRows} from '../helpers/workspace.js';
import {latestRunState} from './run-record.js';

/** Big enough that a run is still going while the test presses keys (it also pauses it). */
const runningWorkspace = async () => demoWorkspace({messages: 2500, channels: 3, targetHidden: 256, targetLayers: 4});

describe('dashboard keys and states in a real terminal (tmux)', () => {
	const sessions: TmuxSession[] = [];
	const open = (arguments_: string, options: TmuxOptions = {}) => {
		const session = new TmuxSession(`node ${cliPath} ${arguments_}`, {columns: 100, rows: 30, ...options});
		sessions.push(session);
		return session;
	};

	after(() => {
		for (const session of sessions) {
			session.kill();
		}
	});

	it('counts every key of a burst, erases with Backspace in the dialog, and keeps keys inside overlays', async () => {
		const paths = await runningWorkspace();
		const session = open(`dashboard --workspace ${paths.root}`, {env: {QWEN3_MIGRATE_FAULTS: 'slow@batch=2:8000'}});
		await session.waitFor(/IDLE/);
		await session.waitFor(/\? help · q quit · s start/, 10_000);
		session.sendKeys('s');
		await session.waitFor(/RUNNING/);
		session.sendKeys('p');
		await session.waitFor(/PAUSED/);
		session.sendLiteral('bb');
		await session.waitFor(/batch: 32 → 8 \(pending\)/, 5000);
		session.sendLiteral('?');
		await session.waitFor(/page 1\/\d|press \? or Esc to close/, 5000);
		session.sendLiteral('b');
		session.sendKeys('Escape');
		await session.waitFor(/batch: 32 → 8 \(pending\)/, 5000);
		session.sendKeys('R');
		await session.waitFor(/Roll back the migration\?/, 5000);
		session.sendLiteral('rollbaxy');
		session.sendKeys('BSpace', 'BSpace');
		session.sendLiteral('ck');
		await session.waitFor(/> rollback_/, 5000);
		session.sendKeys('C-u');
		await session.waitFor(/> _/, 5000);
		session.sendKeys('Escape');
		await session.waitFor(/PAUSED/, 5000);
		session.sendLiteral('qq');
		assert.equal(await session.exitCode(), 130, 'qq is a double q: a forced stop of a run');
	});

	it('shows a key\'s effect at once while a run goes on (p: PAUSED / RUNNING)', async () => {
		const paths = await runningWorkspace();
		const session = open(`dashboard --workspace ${paths.root}`, {env: {QWEN3_MIGRATE_FAULTS: 'slow@batch=40:8000'}});
		await session.waitFor(/IDLE/);
		session.sendKeys('s');
		await session.waitFor(/RUNNING {2}phase: embed/);
		const latencies: number[] = [];
		for (const expected of [/PAUSED/, /RUNNING/, /PAUSED/, /RUNNING/, /PAUSED/]) {
			const sent = Date.now();
			session.sendKeys('p');
			await session.waitFor(expected, 5000);
			latencies.push(Date.now() - sent);
		}

		// The target is 150 ms; tmux's capture and a shared 2-core machine add to it. The bug this
		// guards against (an engine event's redraw coalesced to the next second) measured 0.9–1.1 s.
		const median = latencies.sort((a, b) => a - b)[2]!;
		assert.ok(median < 600, `key→screen ${latencies.join(', ')} ms`);
		session.sendLiteral('qq');
		assert.equal(await session.exitCode(), 130);
	});

	it('starts again with s after a failed run, clearing the old problem', async () => {
		const paths = await runningWorkspace();
		const model = path.join(paths.root, demoModelDirs.target);
		renameSync(model, `${model}.away`);
		const session = open(`dashboard --workspace ${paths.root}`);
		await session.waitFor(/IDLE/);
		session.sendKeys('s');
		await session.waitFor(/FAILED/);
		renameSync(`${model}.away`, model);
		session.sendKeys('s');
		const screen = await session.waitFor(/RUNNING|DONE/);
		assert.doesNotMatch(screen, /FAILED/);
		await session.waitFor(/DONE/, 120_000);
		session.sendKeys('r');
		await session.waitFor(/r: nothing to retry/, 5000);
		session.sendKeys('q');
		assert.equal(await session.exitCode(), 0);
	});

	it('R during a run pauses and asks; once confirmed it stops the run, rolls back and resets the progress', async () => {
		const paths = await runningWorkspace();
		// The 3rd model call waits 8 s: R lands mid-run however fast the machine is.
		const session = open(`dashboard --workspace ${paths.root}`, {env: {QWEN3_MIGRATE_FAULTS: 'slow@batch=3:8000'}});
		await session.waitFor(/IDLE/);
		session.sendKeys('s');
		await session.waitFor(/RUNNING/);
		await session.waitFor(/[1-9]\d*\/\d+ /);
		session.sendKeys('R');
		await session.waitFor(/Roll back the migration\?/, 5000);
		assert.equal(latestRunState(paths.database)?.status, 'running');
		session.sendLiteral('rollback');
		session.sendKeys('Enter');
		await session.waitFor(/ROLLED BACK/, 60_000);
		assert.equal(targetRows(paths.database).length, 0, 'no new-model rows left');
		assert.match(session.screen(), /— {2}rate|—\s/, 'the bar no longer shows the old progress');
		session.sendKeys('q');
		assert.equal(await session.exitCode(), 0);
	});

	it('pages help at 60×16, and at 50×12 still answers ? and q', async () => {
		const paths = await demoWorkspace();
		const session = open(`dashboard --workspace ${paths.root}`, {columns: 60, rows: 16});
		await session.waitFor(/IDLE/);
		session.sendKeys('?');
		await session.waitFor(/page 1\/2 · space\/→ next/, 5000);
		session.sendKeys('Space');
		await session.waitFor(/quit safely/, 5000);
		session.sendKeys('Escape');
		session.resize(50, 12);
		await session.waitFor(/terminal too small/, 5000);
		session.sendKeys('?');
		await session.waitFor(/start or resume the migration/, 5000);
		session.sendKeys('Escape');
		await session.waitFor(/terminal too small/, 5000);
		session.sendKeys('q');
		assert.equal(await session.exitCode(), 0);
		assert.doesNotMatch(session.screen(), /terminal too small/, 'the last frame is cleared on exit');
	});

	it('shows malformed settings at open, wrapped, with the fix, and exits 2', async () => {
		const paths = await demoWorkspace();
		writeFileSync(paths.settings, readFileSync(paths.settings, 'utf8').replace('{', '{,'));
		const session = open(`dashboard --workspace ${paths.root}`, {columns: 80, rows: 24});
		const screen = await session.waitFor(/settings\.json/);
		assert.match(screen, /fix:/);
		session.sendKeys('s');
		await session.waitFor(/s: fix the problem shown first/, 5000);
		session.sendKeys('q');
		assert.equal(await session.exitCode(), 2);
	});

	it('writes only ASCII with LANG=C, and plain lines without cursor movement on TERM=dumb', async () => {
		const paths = await demoWorkspace();
		const ascii = open(`dashboard --workspace ${paths.root}`, {env: {LANG: 'C', LC_ALL: 'C'}});
		const screen = await ascii.waitFor(/IDLE/);
		assert.deepEqual([...screen].filter(char => char.codePointAt(0)! > 0x7E), []);
		ascii.sendKeys('q');
		assert.equal(await ascii.exitCode(), 0);
		const rawLog = path.join(makeTempDir('qwen3-raw-'), 'raw.log');
		const dumb = open(`migrate --workspace ${paths.root} --yes`, {env: {TERM: 'dumb'}, rawLog});
		await dumb.waitFor(/DONE/, 120_000);
		dumb.sendKeys('q');
		assert.equal(await dumb.exitCode(), 0);
		const raw = readFileSync(rawLog, 'utf8');
		assert.match(raw, /DONE/);
		// eslint-disable-next-line no-control-regex -- cursor-movement escapes are what must be absent
		assert.doesNotMatch(raw, /\u001B\[\d*[ABCDHJK]|\u001B\[\d+;\d+H/, 'no cursor addressing');
	});
});
