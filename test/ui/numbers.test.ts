import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {averageRate, barReading, currentRate, stableEta} from '../../source/ui/metrics.js';
import {initialState, reduce} from '../../source/ui/state.js';
import {committed, engine, replay, t0} from './fixtures.js';

const runStart = (now: number, total = 1000) => engine({name: 'run:start', payload: {runId: 'r', source: 'a', target: 'b', strategy: 'regenerate', resumed: true, total}}, now);
const enter = (now: number, phase: 'embed' | 'index' | 'verify') => engine({name: 'run:phase:enter', payload: {phase}}, now);

describe('numbers that never lie', () => {
	it('shows no percentage and no 0/0 before anything is counted (IDLE, STARTING, FAILED)', () => {
		const idle = initialState({now: t0});
		assert.deepEqual(barReading(idle), {percent: undefined, counts: '—'});
		const starting = reduce(idle, {type: 'mode', mode: 'starting', now: t0});
		assert.equal(barReading(starting).percent, undefined);
		const failed = reduce(starting, {type: 'mode', mode: 'failed', error: 'Model could not be loaded', now: t0 + 10});
		assert.equal(barReading(failed).percent, undefined);
	});

	it('in the index phase shows channels or nothing: never the message counts labelled as channels (a dashboard attached mid-index)', () => {
		// Attached after the embed phase: the first progress carries messages, no channel count yet.
		const attached = replay([runStart(t0, 1957), enter(t0, 'embed'), ...committed(t0 + 100, 1957, 0), enter(t0 + 200, 'index')]);
		assert.deepEqual(barReading(attached), {percent: undefined, counts: '—'});
		const built = reduce(attached, engine({name: 'index:channel:done', payload: {channelId: 'c', vectors: 40, built: 3, channels: 12}}, t0 + 300));
		assert.deepEqual(barReading(built), {percent: 25, counts: '3/12'});
	});

	it('counts rows migrated earlier as done before the start', () => {
		const state = reduce(initialState({now: t0}), {type: 'baseline', done: 300, total: 1000});
		assert.deepEqual(barReading(state), {percent: 30, counts: '300/1000'});
	});

	it('lets a run\'s own numbers win over a baseline that arrives after them', () => {
		const running = replay([runStart(t0), enter(t0, 'embed'), ...committed(t0 + 1000, 400, 10)]);
		assert.equal(reduce(running, {type: 'baseline', done: 300, total: 1000}), running);
	});

	it('takes the rate from this run\'s commits only: a resume that reports earlier rows is no speed', () => {
		// The run resumes with 900 rows done by an earlier attempt, then commits 10 a second.
		const actions = [runStart(t0), enter(t0, 'embed'), ...committed(t0 + 100, 900, 0)];
		for (let second = 1; second <= 6; second++) {
			actions.push(...committed(t0 + second * 1000, 900 + second * 10, 10));
		}

		const state = replay(actions);
		assert.ok(Math.abs(currentRate(state)! - 10) < 0.5, `rate ${currentRate(state)}`);
	});

	it('restarts the rate window on pause and resume, with no ETA until it is stable again', () => {
		const actions = [runStart(t0), enter(t0, 'embed')];
		for (let second = 1; second <= 8; second++) {
			actions.push(...committed(t0 + second * 1000, second * 10, 10));
		}

		let state = replay(actions);
		assert.ok(stableEta(state) !== undefined, 'steady for 8 s: an ETA');
		state = replay([engine({name: 'control:paused', payload: {}}, t0 + 9000), engine({name: 'control:resumed', payload: {}}, t0 + 600_000)], state);
		assert.equal(currentRate(state), undefined, 'after a long pause the rate starts over, not 0.1/s or 4451/s');
		assert.equal(stableEta(state), undefined);
		state = replay([...committed(t0 + 601_000, 90, 10), ...committed(t0 + 602_000, 100, 10)], state);
		assert.ok(Math.abs(currentRate(state)! - 10) < 0.5);
		assert.equal(stableEta(state), undefined, 'two seconds of commits are not yet a stable rate');
	});

	it('shows channels done/total and no ETA in the index and verify phases', () => {
		const actions = [runStart(t0, 100), enter(t0, 'embed')];
		for (let second = 1; second <= 8; second++) {
			actions.push(...committed(t0 + second * 1000, second * 10, 10));
		}

		actions.push(enter(t0 + 9000, 'index'), engine({name: 'index:channel:done', payload: {channelId: 'c1', vectors: 40, built: 1, channels: 4}}, t0 + 9500));
		const state = replay(actions);
		assert.deepEqual(barReading(state), {percent: 25, counts: '1/4'});
		assert.equal(stableEta(state), undefined);
	});

	it('shows the run\'s average rate when done, not a decayed window', () => {
		const actions = [runStart(t0, 100), enter(t0, 'embed')];
		for (let second = 1; second <= 10; second++) {
			actions.push(...committed(t0 + second * 1000, second * 10, 10));
		}

		actions.push(engine({name: 'run:done', payload: {runId: 'r', succeeded: 100, failed: 0, total: 100, seconds: 60}}, t0 + 60_000));
		const state = replay(actions);
		assert.equal(state.mode, 'done');
		assert.ok(Math.abs(averageRate(state)! - 100 / 60) < 0.01, `average ${averageRate(state)}`);
	});
});
