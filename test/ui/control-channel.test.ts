import assert from 'node:assert/strict';
import {statSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {ControlClient} from '../../source/engine/control/client.js';
import {protocolVersion} from '../../source/engine/control/protocol.js';
import {attachToLiveRun, serveRunControl} from '../../source/engine/control/serve.js';
import {ControlServer} from '../../source/engine/control/server.js';
import {RunControl} from '../../source/engine/migration/control.js';
import {MigrationEvents} from '../../source/engine/migration/events.js';
import {attachToRun} from '../../source/ui/attach.js';
import {DashboardController, type DashboardBackend} from '../../source/ui/controller.js';
import {strings} from '../../source/ui/i18n.js';
import {barReading} from '../../source/ui/metrics.js';
import {activeProblems} from '../../source/ui/problems.js';
import {makeTempDir} from '../helpers/temp.js';

async function until(check: () => boolean, what: string): Promise<void> {
	for (let attempt = 0; attempt < 100 && !check(); attempt++) {
		await sleep(20);
	}

	assert.ok(check(), what);
}

describe('run control channel (a real Unix socket)', () => {
	const closers: Array<() => unknown> = [];
	after(async () => {
		for (const close of closers.reverse()) {
			await close();
		}
	});

	async function serve() {
		const events = new MigrationEvents();
		const control = new RunControl(32, events);
		const socketPath = path.join(makeTempDir('qwen3-ctl-'), 'control.sock');
		const server = await ControlServer.listen(socketPath, {control, events});
		closers.push(async () => server.close());
		return {events, control, socketPath, server};
	}

	async function attach(socketPath: string, readOnly = false) {
		const client = await ControlClient.connect(socketPath, {readOnly});
		closers.push(() => client.close());
		return client;
	}

	it('makes the socket 0600 and greets with the protocol version and the run\'s snapshot', async () => {
		const {socketPath, events} = await serve();
		assert.equal(statSync(socketPath).mode & 0o777, 0o600);
		const client = await attach(socketPath);
		assert.equal(client.serverPid, process.pid);
		await until(() => client.snapshot !== undefined, 'a snapshot on attach');
		assert.equal(client.snapshot!.batchSize, 32);
		events.emit('run:start', {runId: 'r', source: 'a', target: 'b', strategy: 'regenerate', resumed: false, total: 10});
		events.emit('progress', {phase: 'embed', done: 1, total: 10, failed: 0, blank: 0, truncated: 0, batchSize: 32, device: 'cpu'});
		const seen: string[] = [];
		client.events.on('progress', ({done}) => seen.push(`progress ${done}`));
		events.emit('progress', {phase: 'embed', done: 2, total: 10, failed: 0, blank: 0, truncated: 0, batchSize: 32, device: 'cpu'});
		await until(() => seen.includes('progress 2'), 'events reach the client');
		assert.deepEqual(seen, ['progress 1', 'progress 2'], 'in order');
		await until(() => client.snapshot!.phase === 'embed', 'the snapshot follows the run\'s phase');
	});

	it('lets a full client steer the run, keeps several clients consistent, and refuses a read-only one', async () => {
		const {socketPath, control} = await serve();
		const steering = await attach(socketPath);
		const watching = await attach(socketPath, true);
		await until(() => steering.snapshot !== undefined && watching.snapshot !== undefined, 'snapshots');
		const pausedEvents: string[] = [];
		watching.events.on('control:paused', () => pausedEvents.push('paused'));
		steering.control.pause();
		await until(() => control.paused, 'the run is paused');
		await until(() => watching.snapshot!.paused && pausedEvents.length === 1, 'the other dashboard sees it');
		steering.control.halveBatchSize();
		await until(() => control.batchSize === 16, 'batch halved in the run');
		await until(() => watching.snapshot!.batchSize === 16, 'the watcher sees the run\'s batch size');
		watching.control.resume();
		await sleep(100);
		assert.equal(control.paused, true, 'a read-only client cannot resume');
		steering.control.abort();
		await until(() => control.aborting, 'stop reaches the run');
	});

	it('refuses a second server on a live socket and replaces a stale one', async () => {
		const {socketPath, control, events} = await serve();
		await assert.rejects(ControlServer.listen(socketPath, {control, events}), /already serves/);
		const stale = path.join(makeTempDir('qwen3-ctl-'), 'control.sock');
		writeFileSync(stale, '');
		const server = await ControlServer.listen(stale, {control, events});
		closers.push(async () => server.close());
		await attach(stale);
	});

	it('serves beside the migration lock in one call (creating the state directory), and finds no live run once closed', async () => {
		const events = new MigrationEvents();
		const control = new RunControl(32, events);
		const lockFile = path.join(makeTempDir('qwen3-ctl-'), 'data', 'memory', 'qwen3-migrate', 'migration.lock');
		const close = await serveRunControl(lockFile, {control, events});
		const client = await attachToLiveRun(lockFile, {readOnly: true});
		assert.ok(client, 'attached');
		await until(() => client.snapshot?.batchSize === 32, 'the run\'s snapshot');
		client.close();
		await close();
		assert.equal(await attachToLiveRun(lockFile, {readOnly: true}), undefined);
	});

	it('refuses a server that speaks another protocol version', async () => {
		const socketPath = path.join(makeTempDir('qwen3-ctl-'), 'control.sock');
		const server = net.createServer(socket => socket.write(`${JSON.stringify({type: 'hello', version: protocolVersion + 1, pid: 1})}\n`));
		await new Promise<void>(resolve => server.listen(socketPath, () => resolve()));
		closers.push(() => server.close());
		await assert.rejects(ControlClient.connect(socketPath, {readOnly: false}), /control protocol 2/);
	});
});

describe('a dashboard attached to another process\'s run', () => {
	it('pauses the run with p, shows the run\'s own batch size and RSS, and detaches with d', async () => {
		const events = new MigrationEvents();
		const control = new RunControl(32, events);
		const socketPath = path.join(makeTempDir('qwen3-ctl-'), 'control.sock');
		const server = await ControlServer.listen(socketPath, {control, events});
		events.emit('run:start', {runId: 'r', source: 'a', target: 'b', strategy: 'regenerate', resumed: false, total: 10});
		const calls: string[] = [];
		const backend: DashboardBackend = {quit: () => calls.push('quit')};
		const controller = new DashboardController(backend, {now: Date.now});
		const attachment = await attachToRun({socketPath, controller, backend, readOnly: false, strings: strings('en')});
		assert.ok(attachment);
		backend.detach = () => {
			calls.push('detach');
			attachment.detach();
		};

		await until(() => controller.getState().attached, 'attached');
		assert.ok(controller.getState().ownerRss!.bytes > 0, 'the run\'s RSS');
		assert.equal(controller.getState().batchSize, 32);
		controller.handleKey('p', {});
		await until(() => control.paused, 'p pauses the run in the other process');
		await until(() => controller.getState().mode === 'paused', 'and the dashboard shows it');
		controller.handleKey('b', {});
		await until(() => control.batchSize === 16, 'b halves the run\'s batch');
		controller.handleKey('\u0003', {});
		assert.deepEqual(calls, ['detach'], 'Ctrl+C in an attached dashboard only detaches');
		assert.equal(control.aborting, false, 'the run goes on');
		controller.dispose();
		await server.close();
	});

	it('a dashboard attached during verify shows the channels the index phase built, not "—", and the finished run\'s warning', async () => {
		const events = new MigrationEvents();
		const control = new RunControl(32, events);
		const socketPath = path.join(makeTempDir('qwen3-ctl-'), 'control.sock');
		const server = await ControlServer.listen(socketPath, {control, events});
		events.emit('run:start', {runId: 'r', source: 'a', target: 'b', strategy: 'regenerate', resumed: false, total: 10});
		events.emit('run:phase:enter', {phase: 'index'});
		for (const built of [1, 2, 3]) {
			events.emit('index:channel:done', {channelId: `c${built}`, vectors: 5, built, channels: 3});
		}

		events.emit('run:phase:enter', {phase: 'verify'});
		const backend: DashboardBackend = {quit: () => undefined};
		const controller = new DashboardController(backend, {now: Date.now});
		const attachment = await attachToRun({socketPath, controller, backend, readOnly: true, strings: strings('en')});
		assert.ok(attachment);
		await until(() => controller.getState().attached, 'attached');
		assert.equal(controller.getState().phase, 'verify');
		assert.deepEqual(barReading(controller.getState()), {percent: 100, counts: '3/3'});
		events.emit('run:phase:enter', {phase: 'catchup'});
		events.emit('run:phase:enter', {phase: 'index'});
		events.emit('index:channel:done', {channelId: 'c1', vectors: 6, built: 1, channels: 2});
		await until(() => controller.getState().channels?.total === 2, 'a new round of indexing counts afresh');
		// The run's end with a warning reaches an attached dashboard as it does the owner's.
		events.emit('run:done', {runId: 'r', succeeded: 10, failed: 0, total: 10, seconds: 1});
		events.emit('run:log-incomplete', {message: 'the run log could not be written after the cut-over (disk full on /: need about 1 MB more); the migration is complete and nothing needs resuming: free space on /'});
		await until(() => controller.getState().logIncomplete !== undefined, 'the warning arrives');
		assert.equal(controller.getState().mode, 'done');
		assert.equal(activeProblems(controller.getState())[0]?.problem.id, 'log-incomplete');
		attachment.detach();
		controller.dispose();
		await server.close();
	});
});
