import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {render} from 'ink-testing-library';
import {RunControl} from '../../source/engine/migration/control.js';
import {MigrationEvents} from '../../source/engine/migration/events.js';
import {App} from '../../source/ui/components/App.js';
import type {Theme} from '../../source/ui/components/theme.js';
import {DashboardController} from '../../source/ui/controller.js';
import {strings} from '../../source/ui/i18n.js';
import {keymap} from '../../source/ui/keymap.js';
import {t0} from './fixtures.js';

const theme: Theme = {color: false, unicode: true, strings: strings('en'), language: 'en'};
const tick = async () => new Promise(resolve => setTimeout(resolve, 30));

/** Engine-driven redraws are coalesced (a few a second): wait for the frame to show `pattern`. */
async function waitForFrame(app: {lastFrame: () => string | undefined}, pattern: RegExp): Promise<void> {
	for (let attempt = 0; attempt < 80 && !pattern.test(app.lastFrame() ?? ''); attempt++) {
		await tick();
	}

	assert.match(app.lastFrame() ?? '', pattern);
}

function setup(options: {readOnly?: boolean} = {}) {
	const events = new MigrationEvents();
	const control = new RunControl(32, events);
	const calls: string[] = [];
	const controller = new DashboardController(
		{
			control,
			events,
			quit: force => calls.push(force ? 'quit:force' : 'quit'),
			async rollback() {
				calls.push('rollback');
				return Promise.resolve('rolled back');
			},
			async verify() {
				calls.push('verify');
				return Promise.resolve({ok: true, text: 'verified'});
			},
			start: () => calls.push('start'),
		},
		{now: () => t0, readOnly: options.readOnly, running: true},
	);
	events.emit('run:start', {runId: 'r', source: 'a', target: 'b', strategy: 'regenerate', resumed: false, total: 100});
	events.emit('progress', {phase: 'embed', done: 10, total: 100, failed: 1, blank: 0, truncated: 0, batchSize: 32, device: 'cuda'});
	const app = render(<App controller={controller} theme={theme} workspace="/ws" />);
	return {app, control, calls, controller};
}

describe('dashboard keys', () => {
	it('sends each hotkey to its engine command', async () => {
		const {app, control, calls} = setup();
		app.stdin.write('b');
		await tick();
		assert.equal(control.batchSize, 16);
		app.stdin.write('+');
		await tick();
		assert.equal(control.batchSize, 24);
		app.stdin.write('-');
		await tick();
		assert.equal(control.batchSize, 16);
		app.stdin.write('p');
		await tick();
		assert.equal(control.paused, true);
		await waitForFrame(app, /PAUSED/);
		app.stdin.write('p');
		await tick();
		assert.equal(control.paused, false);
		app.stdin.write('r');
		await tick();
		assert.equal(control.retryRequested, true);
		app.stdin.write('c');
		await tick();
		assert.equal(control.requestedDevice, 'cpu');
		app.stdin.write('v');
		await tick();
		assert.deepEqual(calls, ['verify']);
		await waitForFrame(app, /batch: 16/);
		app.unmount();
	});

	it('rolls back only after the word rollback is typed; Enter or Esc alone never does', async () => {
		const {app, calls} = setup();
		app.stdin.write('R');
		await tick();
		assert.match(app.lastFrame()!, /Roll back the migration\?/);
		app.stdin.write('\r');
		await tick();
		assert.doesNotMatch(app.lastFrame()!, /Roll back the migration\?/);
		app.stdin.write('R');
		await tick();
		app.stdin.write('\u001B');
		await tick();
		assert.doesNotMatch(app.lastFrame()!, /Roll back the migration\?/);
		app.stdin.write('R');
		await tick();
		for (const char of 'rollbak') {
			app.stdin.write(char);
		}

		app.stdin.write('\r');
		await tick();
		assert.deepEqual(calls, [], 'a misspelt word cancels');
		app.stdin.write('R');
		await tick();
		for (const char of 'rollback') {
			app.stdin.write(char);
			await tick();
		}

		assert.match(app.lastFrame()!, /> rollback_/);
		app.stdin.write('\r');
		await tick();
		assert.deepEqual(calls, ['rollback']);
		app.unmount();
	});

	it('quits safely with q, and forces with a second q or Ctrl+C', async () => {
		const {app, calls} = setup();
		app.stdin.write('q');
		await tick();
		app.stdin.write('q');
		await tick();
		app.stdin.write('\u0003');
		await tick();
		assert.deepEqual(calls, ['quit', 'quit:force', 'quit:force']);
		app.unmount();
	});

	it('asks before quitting during cut-over, with staying as the default', async () => {
		const {app, calls, controller} = setup();
		controller.dispatch({type: 'engine', event: {name: 'run:phase:enter', payload: {phase: 'cutover'}}, now: t0});
		app.stdin.write('q');
		await tick();
		assert.match(app.lastFrame()!, /Quit during cut-over\?/);
		app.stdin.write('\r');
		await tick();
		assert.deepEqual(calls, []);
		app.stdin.write('q');
		await tick();
		app.stdin.write('y');
		await tick();
		assert.deepEqual(calls, ['quit']);
		app.unmount();
	});

	it('shows every key of the keymap in the ? overlay', async () => {
		const {app} = setup();
		app.stdin.write('?');
		await tick();
		const frame = app.lastFrame()!;
		for (const binding of keymap) {
			assert.ok(frame.includes(binding.label.en), binding.label.en);
		}

		app.stdin.write('?');
		await tick();
		assert.doesNotMatch(app.lastFrame()!, /this help/);
		app.unmount();
	});

	it('allows no action in read-only mode', async () => {
		const {app, control, calls} = setup({readOnly: true});
		for (const key of ['b', 'p', 'r', 'c', 'v', 'R', '+']) {
			app.stdin.write(key);
			await tick();
		}

		assert.equal(control.batchSize, 32);
		assert.equal(control.paused, false);
		assert.deepEqual(calls, []);
		app.stdin.write('q');
		await tick();
		assert.deepEqual(calls, ['quit']);
		app.unmount();
	});
});

describe('dashboard redraws', () => {
	it('coalesces engine events and the periodic update to one redraw a second, keys at once', async () => {
		const events = new MigrationEvents();
		const controller = new DashboardController({events, quit: () => undefined}, {now: Date.now, running: true});
		let redraws = 0;
		controller.subscribe(() => redraws++);
		const started = Date.now();
		let done = 0;
		while (Date.now() - started < 2200) {
			done++;
			events.emit('progress', {phase: 'embed', done, total: 1_000_000, failed: 0, blank: 0, truncated: 0, batchSize: 32, device: 'cpu'});
			controller.dispatchInBackground({type: 'tick', now: Date.now()});
			await new Promise(resolve => setTimeout(resolve, 5));
		}

		assert.ok(done > 100, `${done} progress events`);
		assert.ok(redraws >= 2 && redraws <= 4, `${redraws} redraws in 2.2 s of events`);
		const during = redraws;
		await new Promise(resolve => setTimeout(resolve, 1100));
		assert.equal(redraws, during + 1, 'one trailing redraw brings the last event to the screen');
		assert.equal(controller.getState().done, done);
		const before = redraws;
		controller.handleKey('?', {});
		assert.equal(redraws, before + 1, 'a key redraws at once');
		controller.dispose();
	});
});
