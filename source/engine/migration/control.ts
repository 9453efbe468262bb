/** The commands a client can give a running migration; the engine polls this between batches. */
import type {BatchSizeReason, Device} from '../types.js';
import type {MigrationEvents} from './events.js';

export const maxBatchSize = 4096;

export class RunControl {
	private pausedWaiters: Array<() => void> = [];
	paused = false;
	aborting = false;
	/** A device switch requested by the user, applied between batches. */
	requestedDevice: Device | undefined;
	retryRequested = false;
	/** Padded tokens per model call (rows × longest text); halved with the batch on out of memory. */
	tokenBudget = 2048;
	private readonly stopController = new AbortController();

	constructor(
		private size: number,
		private readonly events: MigrationEvents,
	) {}

	/** The run's starting values (a flag, else settings): not a change, so no event is emitted. */
	startWith({batchSize, tokenBudget}: {batchSize: number; tokenBudget: number}): void {
		this.size = Math.max(1, Math.min(maxBatchSize, Math.floor(batchSize)));
		this.tokenBudget = tokenBudget;
	}

	get batchSize(): number {
		return this.size;
	}

	setBatchSize(size: number, reason: BatchSizeReason = 'user'): number {
		const next = Math.max(1, Math.min(maxBatchSize, Math.floor(size)));
		if (next !== this.size) {
			const from = this.size;
			this.size = next;
			this.events.emit('batch:size:change', {from, to: next, reason});
		}

		return this.size;
	}

	halveBatchSize(reason: BatchSizeReason = 'user'): number {
		return this.setBatchSize(Math.floor(this.size / 2), reason);
	}

	pause(): void {
		if (!this.paused && !this.aborting) {
			this.paused = true;
			this.events.emit('control:paused', {});
		}
	}

	resume(): void {
		if (this.paused) {
			this.paused = false;
			this.events.emit('control:resumed', {});
			for (const wake of this.pausedWaiters.splice(0)) {
				wake();
			}
		}
	}

	/** Aborted with the run: stops work that has no batch boundary (a model download). */
	get stopSignal(): AbortSignal {
		return this.stopController.signal;
	}

	/** Finish the batch in flight, checkpoint, stop. */
	abort(): void {
		this.aborting = true;
		this.stopController.abort();
		this.resume();
	}

	switchDevice(device: Device): void {
		this.requestedDevice = device;
	}

	retryFailed(): void {
		this.retryRequested = true;
	}

	/** Resolves when not paused (immediately if running). */
	async waitWhilePaused(): Promise<void> {
		if (!this.paused) {
			return;
		}

		await new Promise<void>(resolve => this.pausedWaiters.push(resolve));
	}
}
