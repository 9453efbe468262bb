import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {render} from 'ink-testing-library';
import {RunControl} from '../../source/engine/migration/control.js';
import {MigrationEvents} from '../../source/engine/migration/events.js';
import {App} from '../../source/ui/components/App.js';
import type {Theme} from '../../source/ui/components/theme.js';
import {DashboardController, type DashboardBackend} from '../../source/ui/controller.js';
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

function setup(options: {readOnly?: boolean; backend?: Partial<DashboardBackend>} = {}) {
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
				return Promise.resolve({removedRows: 0});
			},
			async verify() {
				calls.push('verify');
				return Promise.resolve({ok: true, model: 'b', problems: []});
			},
			start: () => calls.push('start'),
			...options.backend,
		},
		{now: () => t0, readOnly: options.readOnly, running: true},
	);
	events.emit('run:start', {runId: 'r', source: 'a', target: 'b', strategy: 'regenerate', resumed: false, total: 100});
	events.emit('progress', {phase: 'embed', done: 10, total: 100, failed: 1, blank: 0, truncated: 0, batchSize: 32, device: 'cuda'});
	const app = render(<App controller={controller} theme={theme} workspace="/ws" />);
	return {app, control, calls, controller, events};
}

describe('dashboard keys', () => {
	it('sends each hotkey to its engine command', async () => {
		const {app, control, calls, events} = setup();
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
		await waitForFrame(app, /batch: 32 → 16 \(pending\)/);
		events.emit('batch:start', {size: 16, firstRowid: 1});
		await waitForFrame(app, /batch: 16 /);
		app.unmount();
	});

	it('counts every key of a burst: bb halves twice, and a burst with Backspace erases', async () => {
		const {app, control} = setup();
		app.stdin.write('bb');
		await tick();
		assert.equal(control.batchSize, 8);
		app.stdin.write('R');
		await tick();
		app.stdin.write('rollbaxy\u007F\u007Fck');
		await tick();
		assert.match(app.lastFrame()!, /> rollback_/, 'DEL erased one character each, inserted nothing');
		app.stdin.write('\u0015');
		await tick();
		assert.match(app.lastFrame()!, /> _/, 'Ctrl+U erased the line');
		app.unmount();
	});

	it('takes all keys in an overlay: nothing reaches the run while help is open', async () => {
		const {app, control} = setup();
		app.stdin.write('?');
		await tick();
		app.stdin.write('bp');
		await tick();
		assert.equal(control.batchSize, 32);
		assert.equal(control.paused, false);
		app.stdin.write('\u001B');
		await tick();
		assert.doesNotMatch(app.lastFrame()!, /this help/);
		app.unmount();
	});

	it('says why a key cannot act, on the status line, at once', async () => {
		const {app, controller} = setup();
		controller.dispatch({type: 'engine', event: {name: 'device:change', payload: {from: 'cuda', to: 'cpu', reason: 'user'}}, now: t0});
		app.stdin.write('c');
		await tick();
		assert.match(app.lastFrame()!, /c: already on the CPU/);
		app.stdin.write('s');
		await tick();
		assert.match(app.lastFrame()!, /s: a migration is already running/);
		app.unmount();
	});

	it('caps + at the token budget (max_batch_tokens)', async () => {
		const {app, control} = setup();
		control.tokenBudget = 64;
		for (const _ of [1, 2, 3, 4]) {
			app.stdin.write('+');
			await tick();
		}

		assert.equal(control.batchSize, 64);
		assert.match(app.lastFrame()!, /capped at 64 by max_batch_tokens/);
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
		assert.deepEqual(calls, [], 'a misspelt word does not roll back');
		assert.match(app.lastFrame()!, /type exactly: rollback/, 'and says so');
		for (const char of 'rollback') {
			app.stdin.write(char);
			await tick();
		}

		assert.match(app.lastFrame()!, /> rollback_/);
		app.stdin.write('\r');
		await tick();
		await waitForFrame(app, /ROLLED BACK/);
		assert.deepEqual(calls, ['rollback']);
		assert.doesNotMatch(app.lastFrame()!, /10\/100/, 'the progress is reset');
		app.unmount();
	});

	it('quits safely with q or Ctrl+C, and forces with a second one, even in one burst (qq)', async () => {
		const first = setup();
		first.app.stdin.write('qq');
		await tick();
		assert.deepEqual(first.calls, ['quit', 'quit:force']);
		first.app.unmount();
		const second = setup();
		second.app.stdin.write('\u0003');
		await tick();
		second.app.stdin.write('\u0003');
		await tick();
		assert.deepEqual(second.calls, ['quit', 'quit:force'], 'Ctrl+C stops safely first');
		second.app.unmount();
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
		// However many pages the terminal needs, paging with space shows every key.
		let seen = app.lastFrame()!;
		for (let page = 0; page < keymap.length && /page \d+\/\d+/.test(app.lastFrame()!); page++) {
			app.stdin.write(' ');
			await tick();
			seen += app.lastFrame()!;
		}

		for (const binding of keymap) {
			assert.ok(seen.includes(binding.label.en), binding.label.en);
		}

		app.stdin.write('?');
		await tick();
		assert.doesNotMatch(app.lastFrame()!, /this help/);
		app.unmount();
	});

	it('allows no action in read-only mode', async () => {
		const {app, control, calls} = setup({readOnly: true});
		for (const key of ['b', 'p', 'c', 'v', 'R', '+']) {
			app.stdin.write(key);
			await tick();
		}

		assert.equal(control.batchSize, 32);
		assert.equal(control.paused, false);
		assert.deepEqual(calls, []);
		assert.match(app.lastFrame()!, /read-only: this dashboard only watches/);
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

	it('draws a key\'s effect that comes back as an engine event at once, not at the next coalesced redraw', () => {
		const events = new MigrationEvents();
		const control = new RunControl(32, events);
		const controller = new DashboardController({events, control, quit: () => undefined}, {now: Date.now, running: true});
		events.emit('run:start', {runId: 'r', source: 'a', target: 'b', strategy: 'regenerate', resumed: false, total: 100});
		let redraws = 0;
		let seen = '';
		controller.subscribe(() => {
			redraws++;
			seen = controller.getState().mode;
		});
		// A progress event just drew a frame: the next background redraw would wait a second.
		events.emit('progress', {phase: 'embed', done: 1, total: 100, failed: 0, blank: 0, truncated: 0, batchSize: 32, device: 'cpu'});
		const before = redraws;
		controller.handleKey('p', {});
		assert.ok(redraws > before, 'redrawn synchronously with the key');
		assert.equal(seen, 'paused', 'and the frame shows PAUSED');
		controller.dispose();
	});
});
