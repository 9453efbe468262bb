import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {GpuSampler, parseNvidiaSmi, type CommandRunner} from '../../../source/engine/monitor/gpu.js';
import {ResourceSampler} from '../../../source/engine/monitor/resources.js';

/** A clock-driven sampler whose nvidia-smi fails with `error` when `release` is called. */
function failingSampler(error: Error) {
	const probe = {clock: 0, calls: [] as number[], release: () => undefined as void};
	const runner: CommandRunner = async () => {
		probe.calls.push(probe.clock);
		await new Promise<void>(resolve => {
			probe.release = resolve;
		});
		throw error;
	};

	return {probe, sampler: new GpuSampler(runner, () => probe.clock)};
}

/** Starts one query, checks that no second one starts while it runs, and lets it fail. */
async function firstQuery(probe: {calls: number[]; release: () => void}, sampler: GpuSampler) {
	sampler.read();
	sampler.read();
	assert.equal(probe.calls.length, 1, 'no second query while one is in flight');
	probe.release();
	return sampler.settle();
}

/** Reads at each clock time and checks how many queries have started by then. */
function readAt(probe: {clock: number; calls: number[]}, sampler: GpuSampler, steps: Array<[at: number, calls: number, why: string]>): void {
	for (const [at, calls, why] of steps) {
		probe.clock = at;
		sampler.read();
		assert.equal(probe.calls.length, calls, why);
	}
}

describe('GPU sampler', () => {
	it('parses nvidia-smi csv output', () => {
		assert.deepEqual(parseNvidiaSmi('NVIDIA H100 80GB HBM3, 87, 40120, 81559\n'), {
			available: true,
			name: 'NVIDIA H100 80GB HBM3',
			utilizationPercent: 87,
			memoryUsedMb: 40_120,
			memoryTotalMb: 81_559,
		});
		assert.equal(parseNvidiaSmi('[N/A]').available, false);
	});

	it('runs one query at a time, at most every 2 s, and backs off after failures', async () => {
		const {probe, sampler} = failingSampler(Object.assign(new Error('Command failed: nvidia-smi\nNVIDIA-SMI has failed'), {code: 9}));
		assert.deepEqual(await firstQuery(probe, sampler), {available: false, reason: 'nvidia-smi failed: Command failed: nvidia-smi'});
		readAt(probe, sampler, [
			[1500, 1, 'not before 2 s'],
			[3000, 1, 'backs off to 4 s after a failure'],
			[4100, 2, 'then asks again'],
		]);
		probe.release();
		await sampler.settle();
		readAt(probe, sampler, [
			[4100 + 7900, 2, 'backs off to 8 s after two failures'],
			[4100 + 8100, 3, 'then asks again'],
		]);
		probe.release();
		await sampler.settle();
	});

	it('asks a missing nvidia-smi again only once a minute', async () => {
		const {probe, sampler} = failingSampler(Object.assign(new Error('spawn nvidia-smi ENOENT'), {code: 'ENOENT'}));
		assert.deepEqual(await firstQuery(probe, sampler), {available: false, reason: 'no nvidia-smi'});
		readAt(probe, sampler, [
			[1500, 1, 'not before 2 s'],
			[59_000, 1, 'not before a minute'],
			[60_100, 2, 'then asks again'],
		]);

		probe.release();
		await sampler.settle();
	});

	it('reports a timeout as a reason, not a crash', async () => {
		const runner: CommandRunner = async () => Promise.reject(Object.assign(new Error('killed'), {killed: true}));
		const sampler = new GpuSampler(runner, () => 0);
		sampler.read();
		assert.deepEqual(await sampler.settle(), {available: false, reason: 'nvidia-smi timed out'});
	});
});

describe('resource sampler', () => {
	it('computes CPU % from time deltas and reads injected sources', () => {
		let idle = 100;
		let total = 200;
		const sampler = new ResourceSampler({
			now: () => 1,
			cpuTimes: () => [{idle, total}],
			memory: () => ({total: 1000, available: 250}),
			rss: () => 42,
			gpu: () => ({available: false, reason: 'none'}),
			diskFree: () => 7,
		});
		assert.equal(sampler.sample().cpuPercent, undefined, 'needs two samples');
		idle += 25;
		total += 100;
		const reading = sampler.sample();
		assert.equal(reading.cpuPercent, 75);
		assert.equal(reading.memoryUsedBytes, 750);
		assert.equal(reading.rssBytes, 42);
		assert.equal(reading.diskFreeBytes, 7);
	});
});
