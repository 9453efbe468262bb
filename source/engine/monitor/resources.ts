/**
 * Resource readings for the dashboard and `monitor`: CPU, RAM, this process's RSS (and its growth,
 * the guide's memory-leak check), GPU, and free disk on the workspace's volume. Every source is
 * injectable so tests need no real machine state.
 */
import {readFileSync} from 'node:fs';
import os from 'node:os';
import {freeDiskBytes} from '../util/disk.js';
import {GpuSampler, type GpuReading} from './gpu.js';

export type ResourceReading = {
	time: number;
	cpuPercent: number | undefined;
	memoryUsedBytes: number;
	memoryTotalBytes: number;
	/** Free RAM as the kernel counts it available (MemAvailable). */
	memoryAvailableBytes: number;
	rssBytes: number;
	gpu: GpuReading;
	diskFreeBytes: number | undefined;
};

export type ResourceSources = {
	now: () => number;
	cpuTimes: () => Array<{idle: number; total: number}>;
	memory: () => {total: number; available: number};
	rss: () => number;
	gpu: () => GpuReading;
	diskFree: () => number | undefined;
};

function readMemAvailable(): number | undefined {
	try {
		const match = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

export function systemSources(workspace: string, gpu = new GpuSampler()): ResourceSources {
	return {
		now: Date.now,
		cpuTimes: () =>
			os.cpus().map(cpu => {
				const {user, nice, sys, idle, irq} = cpu.times;
				return {idle, total: user + nice + sys + idle + irq};
			}),
		memory: () => ({total: os.totalmem(), available: readMemAvailable() ?? os.freemem()}),
		rss: () => process.memoryUsage.rss(),
		gpu: () => gpu.read(),
		diskFree() {
			try {
				return freeDiskBytes(workspace);
			} catch {
				return undefined;
			}
		},
	};
}

export class ResourceSampler {
	private previousCpu: Array<{idle: number; total: number}> | undefined;

	constructor(private readonly sources: ResourceSources) {}

	sample(): ResourceReading {
		const cpu = this.sources.cpuTimes();
		let cpuPercent: number | undefined;
		if (this.previousCpu) {
			let idle = 0;
			let total = 0;
			for (const [index, times] of cpu.entries()) {
				const before = this.previousCpu[index];
				if (before) {
					idle += times.idle - before.idle;
					total += times.total - before.total;
				}
			}

			cpuPercent = total > 0 ? Math.min(100, Math.max(0, (1 - idle / total) * 100)) : undefined;
		}

		this.previousCpu = cpu;
		const memory = this.sources.memory();
		return {
			time: this.sources.now(),
			cpuPercent,
			memoryUsedBytes: memory.total - memory.available,
			memoryTotalBytes: memory.total,
			memoryAvailableBytes: memory.available,
			rssBytes: this.sources.rss(),
			gpu: this.sources.gpu(),
			diskFreeBytes: this.sources.diskFree(),
		};
	}
}

/** The guide's leak check: RSS growth over 500 MB since the first reading. */
export const leakThresholdBytes = 500 * 1024 * 1024;
