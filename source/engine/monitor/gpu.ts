/**
 * GPU readings through nvidia-smi: at most one query at a time, at most every 2 s, a 2 s timeout,
 * and exponential backoff after failures, so a wedged driver never piles up processes.
 */
import {execFile} from 'node:child_process';

export type GpuReading =
	| {available: true; name: string; utilizationPercent: number; memoryUsedMb: number; memoryTotalMb: number}
	| {available: false; reason: string};

export type CommandRunner = (file: string, args: string[], timeoutMs: number) => Promise<string>;

export const runCommand: CommandRunner = async (file, args, timeoutMs) =>
	new Promise((resolve, reject) => {
		execFile(file, args, {timeout: timeoutMs, encoding: 'utf8'}, (error: Error | null, stdout) => {
			if (error) {
				reject(error);
			} else {
				resolve(stdout);
			}
		});
	});

export function parseNvidiaSmi(output: string): GpuReading {
	const line = output.trim().split('\n')[0];
	const fields = line?.split(',').map(field => field.trim());
	if (!fields || fields.length < 4) {
		return {available: false, reason: 'unexpected nvidia-smi output'};
	}

	const [name, utilization, used, total] = fields as [string, string, string, string];
	const numbers = [utilization, used, total].map(Number);
	if (numbers.some(value => !Number.isFinite(value))) {
		return {available: false, reason: `nvidia-smi reported "${line}"`};
	}

	return {available: true, name, utilizationPercent: numbers[0]!, memoryUsedMb: numbers[1]!, memoryTotalMb: numbers[2]!};
}

function describeFailure(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') {
		return 'no nvidia-smi';
	}

	if ((error as {killed?: boolean}).killed) {
		return 'nvidia-smi timed out';
	}

	return `nvidia-smi failed: ${(error as Error).message.split('\n')[0]}`;
}

const maxBackoffMs = 60_000;

export class GpuSampler {
	private inFlight = false;
	private lastQueryAt = Number.NEGATIVE_INFINITY;
	private failures = 0;
	/** nvidia-smi is not installed: asking again once a minute is enough (a driver may be installed meanwhile). */
	private missing = false;
	private latest: GpuReading = {available: false, reason: 'not queried yet'};

	constructor(
		private readonly run: CommandRunner = runCommand,
		private readonly now: () => number = Date.now,
		private readonly minIntervalMs = 2000,
		private readonly timeoutMs = 2000,
	) {}

	/** The latest reading; starts a new query in the background when one is due. */
	read(): GpuReading {
		const backoff = this.failures === 0 ? this.minIntervalMs : this.missing ? maxBackoffMs : Math.min(maxBackoffMs, this.minIntervalMs * 2 ** this.failures);
		if (!this.inFlight && this.now() - this.lastQueryAt >= backoff) {
			this.query();
		}

		return this.latest;
	}

	/** Resolves when the query in flight (if any) is finished; for tests. */
	async settle(): Promise<GpuReading> {
		while (this.inFlight) {
			await new Promise(resolve => setTimeout(resolve, 5));
		}

		return this.latest;
	}

	private query(): void {
		this.inFlight = true;
		this.lastQueryAt = this.now();
		this.run('nvidia-smi', ['--query-gpu=name,utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'], this.timeoutMs)
			.then(output => {
				this.latest = parseNvidiaSmi(output);
				this.failures = this.latest.available ? 0 : this.failures + 1;
				this.missing = false;
			})
			.catch((error: unknown) => {
				this.failures++;
				this.missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
				this.latest = {available: false, reason: describeFailure(error)};
			})
			.finally(() => {
				this.inFlight = false;
			});
	}
}
