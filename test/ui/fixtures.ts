/** Dashboard states built by replaying engine events through the reducer, as the app does. */
import type {ResourceReading} from '../../source/engine/monitor/resources.js';
import {initialState, reduce, type DashboardAction, type DashboardState, type EngineEvent} from '../../source/ui/state.js';

export const t0 = 1_764_300_000_000;

export function replay(actions: DashboardAction[], start = initialState({now: t0})): DashboardState {
	return actions.reduce(reduce, start);
}

export const engine = (event: EngineEvent, now: number): DashboardAction => ({type: 'engine', event, now});

export function progress(now: number, done: number, extra: Partial<{total: number; failed: number; batchSize: number; device: 'cpu' | 'cuda'}> = {}): DashboardAction {
	return engine(
		{
			name: 'progress',
			payload: {phase: 'embed', done, total: extra.total ?? 1000, failed: extra.failed ?? 0, blank: 3, truncated: 1, batchSize: extra.batchSize ?? 32, device: extra.device ?? 'cpu'},
		},
		now,
	);
}

export function reading(overrides: Partial<ResourceReading> = {}): ResourceReading {
	return {
		time: t0,
		cpuPercent: 42,
		memoryUsedBytes: 6 * 2 ** 30,
		memoryTotalBytes: 24 * 2 ** 30,
		memoryAvailableBytes: 18 * 2 ** 30,
		rssBytes: 500 * 2 ** 20,
		gpu: {available: false, reason: 'no nvidia-smi'},
		diskFreeBytes: 80 * 2 ** 30,
		...overrides,
	};
}

/** A batch of `size` committed, then the progress it leads to (as the engine emits them). */
export function committed(now: number, done: number, size: number, extra: Parameters<typeof progress>[2] = {}): DashboardAction[] {
	return [engine({name: 'batch:commit:done', payload: {size, ms: 5, inferenceMs: 50}}, now), progress(now, done, extra)];
}

/** A migration mid-way: 20 s of steady progress, an out-of-memory halving, a few log lines. */
export function midMigration(): DashboardState {
	const actions: DashboardAction[] = [
		engine({name: 'run:start', payload: {runId: 'r', source: 'old', target: 'Qwen/Qwen3-Embedding-0.6B', strategy: 'regenerate', resumed: false, total: 1000}}, t0),
		engine({name: 'run:phase:enter', payload: {phase: 'embed'}}, t0),
	];
	for (let second = 1; second <= 20; second++) {
		actions.push(...committed(t0 + second * 1000, second * 20, 20));
	}

	actions.push(
		engine({name: 'batch:error', payload: {kind: 'oom', message: 'CUDA failure 2: out of memory', offset: 400, size: 32}}, t0 + 20_500),
		engine({name: 'batch:size:change', payload: {from: 32, to: 16, reason: 'oom'}}, t0 + 20_500),
		{type: 'resources', reading: reading()},
		{
			type: 'log',
			entries: [
				{time: '2025-07-06 01:00:20', level: 'ERROR', message: '批次遷移失敗 (offset=400): CUDA failure 2: out of memory'},
				{time: '2025-07-06 01:00:20', level: 'WARNING', message: '記憶體不足，批次大小減半: 32 -> 16'},
			],
		},
	);
	return replay(actions);
}
