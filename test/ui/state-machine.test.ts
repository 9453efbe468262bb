import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {RunControl} from '../../source/engine/migration/control.js';
import {MigrationEvents} from '../../source/engine/migration/events.js';
import {DashboardController, type DashboardBackend} from '../../source/ui/controller.js';
import {exitCodeFor} from '../../source/ui/exit-code.js';
import {footerBindings} from '../../source/ui/keymap.js';
import {activeProblems} from '../../source/ui/problems.js';
import {initialState, reduce} from '../../source/ui/state.js';
import {committed, engine, replay, t0} from './fixtures.js';

function idleController(backend: Partial<DashboardBackend> = {}) {
	const calls: string[] = [];
	const controller = new DashboardController({quit: force => calls.push(force ? 'quit:force' : 'quit'), start: ({retryFailed}) => calls.push(retryFailed ? 'start:retry' : 'start'), ...backend}, {now: () => t0});
	return {controller, calls};
}

const press = (controller: DashboardController, keys: string) => controller.handleKey(keys, {});

describe('dashboard state machine', () => {
	it('starts with s from IDLE, FAILED and ROLLED BACK, and a new start clears the stale problem', () => {
		for (const mode of ['idle', 'failed', 'rolled-back', 'aborted'] as const) {
			const {controller, calls} = idleController();
			controller.dispatch({type: 'mode', mode, error: mode === 'failed' ? 'Model could not be loaded: no such file' : undefined, now: t0});
			press(controller, 's');
			assert.deepEqual(calls, ['start'], mode);
			const state = controller.getState();
			assert.equal(state.mode, 'starting');
			assert.equal(state.runError, undefined, 'no stale "model could not be loaded" while starting');
			assert.ok(!activeProblems(state).some(problem => problem.problem.id === 'model-load'));
		}
	});

	it('offers s in the IDLE footer and not p, b, c or r', () => {
		const keys = footerBindings(initialState({now: t0})).map(binding => binding.key);
		assert.ok(keys.includes('s'));
		for (const dead of ['p', 'b', 'c', 'r', '+', '-']) {
			assert.ok(!keys.includes(dead), dead);
		}
	});

	it('says so when r has nothing to retry, and retries a finished run\'s failures with a new run', () => {
		const {controller, calls} = idleController();
		controller.dispatch({type: 'mode', mode: 'done', now: t0});
		press(controller, 'r');
		assert.match(controller.getState().notice!.text, /nothing to retry/);
		assert.deepEqual(calls, []);
		controller.dispatch(...committed(t0, 10, 0, {failed: 3}));
		press(controller, 'r');
		assert.deepEqual(calls, ['start:retry']);
	});

	it('pauses on R during a run, resumes on cancel, and stops the run before rolling back', async () => {
		const events = new MigrationEvents();
		const control = new RunControl(32, events);
		const calls: string[] = [];
		const controller = new DashboardController(
			{
				control,
				events,
				quit: () => undefined,
				async stopRun() {
					calls.push(`stop (paused: ${control.paused})`);
					control.abort();
					events.emit('run:aborted', {runId: 'r', phase: 'embed', done: 10, total: 100});
					return Promise.resolve();
				},
				async rollback() {
					calls.push('rollback');
					return Promise.resolve({removedRows: 10});
				},
			},
			{now: () => t0, running: true},
		);
		events.emit('run:start', {runId: 'r', source: 'a', target: 'b', strategy: 'regenerate', resumed: false, total: 100});
		controller.dispatch(...committed(t0, 10, 10, {total: 100}));
		press(controller, 'R');
		assert.equal(control.paused, true, 'paused while the question is open');
		press(controller, '\u001B');
		assert.equal(control.paused, false, 'cancel resumes');
		press(controller, 'Rrollback\r');
		await new Promise(resolve => setTimeout(resolve, 20));
		assert.deepEqual(calls, ['stop (paused: true)', 'rollback'], 'still paused from the question when the stop comes');
		const state = controller.getState();
		assert.equal(state.mode, 'rolled-back');
		assert.equal(state.done, 0, 'progress reset');
		assert.equal(state.notice!.text, 'rolled back: 10 new vectors removed, settings and indexes restored');
	});
});

describe('exit codes', () => {
	it('exits 130 after an aborted run, 2 for a configuration error, 1 for a failed run', () => {
		const aborted = replay([{type: 'mode', mode: 'starting', now: t0}, engine({name: 'run:aborted', payload: {runId: 'r', phase: 'embed', done: 1, total: 2}}, t0 + 10)]);
		assert.equal(exitCodeFor(aborted, true), 130);
		const configError = reduce(initialState({now: t0}), {type: 'mode', mode: 'failed', error: 'settings.json: invalid JSON', exitCode: 2, now: t0});
		assert.equal(exitCodeFor(configError, true), 2);
		const failed = reduce(initialState({now: t0}), {type: 'mode', mode: 'failed', error: 'boom', now: t0});
		assert.equal(exitCodeFor(failed, true), 1);
		const fatal = reduce(initialState({now: t0}), {type: 'fatal', fatal: {message: 'workspace /x does not exist', hint: 'pass --workspace DIR', exitCode: 2}});
		assert.equal(exitCodeFor(fatal, false), 2, 'a bad workspace at open exits 2 on quit');
		assert.equal(exitCodeFor(initialState({now: t0}), false), 0);
	});
});
