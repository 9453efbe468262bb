import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {GpuSampler, parseNvidiaSmi, type CommandRunner} from '../../../source/engine/monitor/gpu.js';
import {ResourceSampler} from '../../../source/engine/monitor/resources.js';

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
		let clock = 0;
		const calls: number[] = [];
		let release: () => void = () => undefined;
		const runner: CommandRunner = async () => {
			calls.push(clock);
			await new Promise<void>(resolve => {
				release = resolve;
			});
			throw Object.assign(new Error('Command failed: nvidia-smi\nNVIDIA-SMI has failed'), {code: 9});
		};

		const sampler = new GpuSampler(runner, () => clock);
		sampler.read();
		sampler.read();
		assert.equal(calls.length, 1, 'no second query while one is in flight');
		release();
		const reading = await sampler.settle();
		assert.deepEqual(reading, {available: false, reason: 'nvidia-smi failed: Command failed: nvidia-smi'});
		clock = 1500;
		sampler.read();
		assert.equal(calls.length, 1, 'not before 2 s');
		clock = 3000;
		sampler.read();
		assert.equal(calls.length, 1, 'backs off to 4 s after a failure');
		clock = 4100;
		sampler.read();
		assert.equal(calls.length, 2);
		release();
		await sampler.settle();
		clock = 4100 + 7900;
		sampler.read();
		assert.equal(calls.length, 2, 'backs off to 8 s after two failures');
		clock = 4100 + 8100;
		sampler.read();
		assert.equal(calls.length, 3);
		release();
		await sampler.settle();
	});

	it('asks a missing nvidia-smi again only once a minute', async () => {
		let clock = 0;
		const calls: number[] = [];
		let release: () => void = () => undefined;
		const runner: CommandRunner = async () => {
			calls.push(clock);
			await new Promise<void>(resolve => {
				release = resolve;
			});
			throw Object.assign(new Error('spawn nvidia-smi ENOENT'), {code: 'ENOENT'});
		};

		const sampler = new GpuSampler(runner, () => clock);
		sampler.read();
		sampler.read();
		assert.equal(calls.length, 1, 'no second query while one is in flight');
		release();
		const reading = await sampler.settle();
		assert.deepEqual(reading, {available: false, reason: 'no nvidia-smi'});
		clock = 1500;
		sampler.read();
		assert.equal(calls.length, 1, 'not before 2 s');
		clock = 59_000;
		sampler.read();
		assert.equal(calls.length, 1, 'not before a minute');
		clock = 60_100;
		sampler.read();
		assert.equal(calls.length, 2);
		release();
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
