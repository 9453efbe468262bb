/**
 * Watches the embed loop from the side: reports a stall (no commit for 5× the median commit
 * interval) and halves the batch when free RAM drops under memory_threshold_mb.
 */
import {logText} from '../log/messages.js';
import type {RunContext} from './context.js';

/** Low-memory halvings are at least this far apart, so one dip does not shrink the batch to 1. */
const lowMemoryCooldownMs = 5000;
/** Commit intervals remembered for the median. */
const intervalWindow = 50;

export class EmbedWatchdog {
	private readonly commitIntervals: number[] = [];
	private lastCommitAt: number;
	private stallReported = false;
	private lastLowMemoryAt = Number.NEGATIVE_INFINITY;

	constructor(private readonly context: RunContext) {
		this.lastCommitAt = context.now();
	}

	/** A batch committed: one more interval for the median, and any stall is over. */
	committed(): void {
		const now = this.context.now();
		if (Number.isFinite(this.lastCommitAt)) {
			this.commitIntervals.push(now - this.lastCommitAt);
			if (this.commitIntervals.length > intervalWindow) {
				this.commitIntervals.shift();
			}
		}

		this.lastCommitAt = now;
		this.stallReported = false;
	}

	/** Time spent paused is not a stall. */
	paused(): void {
		this.lastCommitAt = Number.POSITIVE_INFINITY;
	}

	resumed(): void {
		this.lastCommitAt = this.context.now();
	}

	checkMemory(): void {
		const {context} = this;
		const thresholdMb = context.settings.memory_threshold_mb;
		const freeMb = context.freeMemoryMb();
		const now = context.now();
		if (freeMb >= thresholdMb || now - this.lastLowMemoryAt < lowMemoryCooldownMs) {
			return;
		}

		this.lastLowMemoryAt = now;
		context.events.emit('memory:low', {freeMb, thresholdMb});
		const from = context.control.batchSize;
		const to = context.control.halveBatchSize('low-memory');
		context.log('WARNING', logText.lowMemory(freeMb, thresholdMb, from, to));
	}

	checkStall(): void {
		const {context} = this;
		if (this.stallReported || context.control.paused || this.commitIntervals.length < 3) {
			return;
		}

		const sorted = [...this.commitIntervals].sort((a, b) => a - b);
		const median = sorted[Math.floor(sorted.length / 2)]!;
		const idleMs = context.now() - this.lastCommitAt;
		if (idleMs > Math.max(5 * median, 2000)) {
			this.stallReported = true;
			context.events.emit('run:stall', {idleMs, medianBatchMs: median});
			const {done, total} = context.counters;
			context.log('WARNING', logText.stalled(done, total, idleMs));
		}
	}
}
