import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {etaOf, rateOf} from '../../source/engine/util/rate.js';
import {activeProblems} from '../../source/ui/problems.js';
import {initialState, reduce} from '../../source/ui/state.js';
import {committed, engine, midMigration, progress, reading, replay, t0} from './fixtures.js';

describe('dashboard reducer', () => {
	it('tracks progress, rate over ~10 s and a per-second throughput sparkline', () => {
		const state = midMigration();
		assert.equal(state.done, 400);
		assert.equal(state.total, 1000);
		assert.equal(state.mode, 'running');
		assert.equal(state.batchSize, 16);
		const rate = rateOf(state.rateSamples)!;
		assert.ok(Math.abs(rate - 20) < 0.01, `rate ${rate}`);
		assert.ok(state.rateSamples[0]!.time >= t0 + 9000, 'only the last ~10 s count');
		assert.deepEqual(state.throughput.slice(-3), [20, 20, 20]);
	});

	it('has no ETA until there are enough samples, and never NaN, negative, infinite or past 100%', () => {
		const one = replay(committed(t0 + 100, 10, 10));
		assert.equal(rateOf(one.rateSamples), undefined);
		assert.equal(etaOf(rateOf(one.rateSamples), 990), undefined);
		const stalled = replay([progress(t0, 10), progress(t0 + 5000, 10)]);
		assert.equal(etaOf(rateOf(stalled.rateSamples), 990), undefined, 'zero rate: no ETA');
		assert.equal(etaOf(5, -20), 0);
	});

	it('returns the same object when an action changes nothing (no redraw)', () => {
		const state = initialState({now: t0});
		assert.equal(reduce(state, {type: 'tick', now: t0 + 300}), state);
		assert.equal(reduce(state, {type: 'log', entries: [{time: 'x', level: 'INFO', message: '遷移進度: 5.0%'}]}), state);
		assert.notEqual(reduce(state, {type: 'tick', now: t0 + 1000}), state);
	});

	it('collapses repeated log lines as ×N and counts errors and warnings', () => {
		const line = {time: '2025-07-06 01:00:00', level: 'WARNING' as const, message: '資料庫鎖定 (database is locked)'};
		const state = replay([{type: 'log', entries: [line, line, line, {...line, level: 'ERROR', message: 'boom'}]}]);
		assert.deepEqual(
			state.logLines.map(entry => [entry.level, entry.count]),
			[
				['WARNING', 3],
				['ERROR', 1],
			],
		);
		assert.equal(state.warningCount, 3);
		assert.equal(state.errorCount, 1);
	});

	it('follows pause, resume, device changes and the end of the run', () => {
		let state = midMigration();
		state = reduce(state, engine({name: 'control:paused', payload: {}}, t0 + 21_000));
		assert.equal(state.mode, 'paused');
		state = reduce(state, engine({name: 'control:resumed', payload: {}}, t0 + 22_000));
		assert.equal(state.mode, 'running');
		state = reduce(state, engine({name: 'device:change', payload: {from: 'cuda', to: 'cpu', reason: 'oom'}}, t0 + 23_000));
		assert.equal(state.device, 'cpu');
		state = reduce(state, engine({name: 'run:done', payload: {runId: 'r', succeeded: 1000, failed: 0, total: 1000, seconds: 30}}, t0 + 30_000));
		assert.equal(state.mode, 'done');
	});
});

describe('troubleshooting', () => {
	it('names GPU out of memory first and offers b and c', () => {
		const [first] = activeProblems(midMigration());
		assert.equal(first?.problem.id, 'gpu-oom');
		assert.deepEqual(first?.problem.keys, ['b', 'c']);
	});

	it('recognises the guide\'s problems from log lines', () => {
		const cases: Array<[string, string]> = [
			['sqlite3.OperationalError: database is locked', 'database-locked'],
			['no such table: embeddings', 'missing-table'],
			['settings.json:3:5: invalid JSON: Expecting \',\' delimiter: line 3 column 5 (char 40)', 'settings-json'],
			['模型載入失敗: Can\'t load tokenizer for \'Qwen/Qwen3-Embedding-0.6B\'', 'model-load'],
			['VectorOperationError: Vector dimension mismatch: expected 1536, got 768', 'dimension-mismatch'],
			['遷移進度: 45.2% (stuck) — 30 s 無進度', 'stalled'],
			['Error: Cannot find module \'onnxruntime-node\'', 'dependency'],
			['MemoryError: Unable to allocate 4.00 GiB for an array', 'ram-low'],
		];
		for (const [message, id] of cases) {
			const state = replay([{type: 'log', entries: [{time: '2025-07-06 01:00:00', level: 'ERROR', message}]}]);
			assert.equal(activeProblems(state)[0]?.problem.id, id, message);
		}
	});

	it('flags a slow migration (< 100 vectors/min), memory growth over 500 MB and failed messages', () => {
		const actions = [engine({name: 'run:start', payload: {runId: 'r', source: 'a', target: 'b', strategy: 'regenerate', resumed: false, total: 1000}}, t0)];
		for (let second = 0; second <= 70; second += 5) {
			actions.push(...committed(t0 + second * 1000, Math.floor(second / 60), second === 60 ? 1 : 0));
		}

		const slow = replay(actions);
		assert.ok(activeProblems(slow).some(problem => problem.problem.id === 'slow'));
		const growing = replay([{type: 'resources', reading: reading({rssBytes: 300 * 2 ** 20})}, {type: 'resources', reading: reading({rssBytes: 900 * 2 ** 20})}]);
		assert.equal(activeProblems(growing)[0]?.problem.id, 'memory-growth');
		const failed = replay([progress(t0, 10, {failed: 2})]);
		assert.equal(activeProblems(failed)[0]?.problem.id, 'failed-messages');
	});

	it('keeps an out-of-memory problem until a smaller batch commits, then lists it in the history', () => {
		const unresolved = reduce(midMigration(), {type: 'tick', now: t0 + 90_000});
		assert.equal(activeProblems(unresolved)[0]?.problem.id, 'gpu-oom', 'no commit since: still current');
		const resolved = replay(committed(t0 + 21_000, 416, 16, {batchSize: 16}), midMigration());
		assert.ok(!activeProblems(resolved).some(problem => problem.problem.id === 'gpu-oom'), 'resolved, and its log line does not bring it back');
		assert.deepEqual(
			resolved.history.map(past => past.id),
			['gpu-oom'],
		);
	});

	it('shows the newest unresolved problem first, not the oldest', () => {
		const locked = replay([engine({name: 'db:busy', payload: {attempt: 1, waitMs: 100, message: 'database is locked'}}, t0 + 25_000)], midMigration());
		assert.equal(activeProblems(locked)[0]?.problem.id, 'database-locked');
		assert.equal(activeProblems(locked)[1]?.problem.id, 'gpu-oom');
	});
});

describe('watching a migration in another process', () => {
	const watched = (done: number, extra: Partial<{status: 'running' | 'done' | 'aborted' | 'failed'; holderPid: number | undefined}> = {}) => ({
		type: 'watch' as const,
		snapshot: {phase: 'embed' as const, status: extra.status ?? 'running', done, total: 200, failed: 0, holderPid: 'holderPid' in extra ? extra.holderPid : 4242},
		now: t0 + done * 100,
	});

	it('shows the run\'s progress and rate from its database record while its process holds the lock', () => {
		const state = replay([watched(0), watched(10), watched(20), watched(30)]);
		assert.equal(state.mode, 'running');
		assert.equal(state.done, 30);
		assert.equal(state.total, 200);
		assert.ok(Math.abs(rateOf(state.rateSamples)! - 10) < 0.01);
	});

	it('calls a "running" record without a live lock holder stopped (killed), and a finished one done', () => {
		const died = replay([watched(50, {holderPid: undefined})]);
		assert.equal(died.mode, 'aborted');
		assert.equal(died.runnerGone, true, 'says the runner died (and s resumes)');
		assert.equal(replay([watched(200, {status: 'done', holderPid: undefined})]).mode, 'done');
	});
});
