/**
 * The embed phase: keyset batches over the target set, with two batches in flight so the model
 * never waits for the database, each batch's rows and checkpoint committed in one transaction by
 * the commit worker (batch-committer.ts; write I/O never holds the event loop).
 * Failures are resolved in place: out of memory halves the batch, and one text that still does
 * not fit moves to the CPU or has its rows written off; other errors are bisected down to the
 * single bad message, which is recorded and skipped.
 */
import {errorMessage} from '../errors.js';
import type {EmbeddingResult} from '../embed/embedder.js';
import {logText} from '../log/messages.js';
import type {Device, DeviceChangeReason} from '../types.js';
import {classifyBatchError} from './classify.js';
import {BatchCommitter} from './batch-committer.js';
import {emitProgress, type RunContext} from './context.js';
import {EmbedWatchdog} from './embed-watchdog.js';
import {advanceCursor} from '../run-store/index.js';
import {recordRejectedRows, recordRowFailure, retryFailedMessages} from './record-failure.js';
import {TargetReader, type TargetRow} from './target-set.js';
import {fitPlannedBatch, plainBatch, regroupedBatch, ReuseCache, rowsByKey, vectorsInRowOrder, WindowPlanner, type PlannedBatch} from './window-planner.js';

type Settled = {ok: true; value: EmbeddingResult; truncated: number} | {ok: false; error: unknown};

/** A batch handed to the model; `modelRows` is how many texts the model gets (duplicates ride along). */
type PendingBatch = {rows: TargetRow[]; modelRows: number; cursorAfter: number; result: Promise<Settled>};

/** The loop's read position: batches in flight, planned batches not yet sent, the next row to plan from. */
type LoopState = {pipeline: PendingBatch[]; queue: PlannedBatch[]; readCursor: number; exhausted: boolean};

/** Rows read ahead, tokenised and sorted into batches at a time. */
const windowRows = 2048;
/** Distinct texts whose vectors are remembered for reuse (least recently used go first). */
export const reuseCapacity = 8192;

/** Batches in flight at once: two keep a local model busy; a remote pool says how many it can take. */
const minimumPipelineDepth = 2;

const yieldToEventLoop = () => new Promise(resolve => setImmediate(resolve));

export class EmbedLoop {
	private readonly planner: WindowPlanner;
	private readonly watchdog: EmbedWatchdog;
	private readonly committer: BatchCommitter;

	constructor(
		private readonly context: RunContext,
		private readonly cache = new ReuseCache(reuseCapacity),
	) {
		const {db, target, runId, control} = context;
		this.planner = new WindowPlanner(
			new TargetReader(db, target, runId),
			context.vectors.usesModel ? context.embedder : undefined,
			{windowRows, maxRows: () => control.batchSize, maxTokens: () => control.tokenBudget, dedupe: true},
			cache,
		);
		this.watchdog = new EmbedWatchdog(context);
		this.committer = new BatchCommitter(context, this.watchdog);
	}

	/** Embeds every target row after `from` that still lacks a vector. */
	async run(from: number): Promise<'complete' | 'aborted'> {
		const stallTimer = setInterval(() => this.watchdog.checkStall(), 1000);
		stallTimer.unref();
		const state: LoopState = {pipeline: [], queue: [], readCursor: from, exhausted: false};
		try {
			for (;;) {
				if (this.context.control.retryRequested) {
					retryFailedMessages(this.context);
				}

				await this.fillPipeline(state);
				const head = state.pipeline.shift();
				if (head) {
					const settled = await head.result;
					await (settled.ok
						? this.committer.commit(head.rows, settled.value, head.cursorAfter, settled.truncated)
						: this.resolveFailure(head.rows, head.cursorAfter, settled.error, {modelRows: head.modelRows}));
					continue;
				}

				const ended = await this.whenNothingInFlight(state);
				if (ended) {
					return ended;
				}
			}
		} catch (error) {
			// Let the model calls in flight finish first: closing the model under a running inference is a native abort.
			await Promise.all(state.pipeline.map(async pending => pending.result));
			throw error;
		} finally {
			clearInterval(stallTimer);
		}
	}

	/** Plans windows and hands batches to the model until as many are in flight as it can take. */
	private async fillPipeline(state: LoopState): Promise<void> {
		const {control} = this.context;
		const canSubmit = () => (state.queue.length > 0 || !state.exhausted) && !control.aborting && !control.paused && control.requestedDevice === undefined;
		while (canSubmit() && state.pipeline.length < Math.max(minimumPipelineDepth, this.context.embedder.capacity ?? 0)) {
			if (state.queue.length === 0) {
				this.watchdog.checkMemory();
				// One window at a time: each starts where the last one ended.
				const window = await this.planner.next(state.readCursor);
				await recordRejectedRows(this.context, window.rejected);
				state.readCursor = window.next;
				state.exhausted = window.exhausted;
				state.queue.push(...window.batches);
				if (window.batches.length === 0) {
					if (!state.exhausted) {
						await yieldToEventLoop();
					}

					continue;
				}
			}

			// A batch planned before out of memory halved the size is cut to the size that fits now.
			state.queue.unshift(...fitPlannedBatch(state.queue.shift()!, control.batchSize, control.tokenBudget));
			state.pipeline.push(this.submit(state.queue.shift()!));
		}
	}

	/** With no batch in flight: a device switch, the abort, a pause, or the end of the target set. */
	private async whenNothingInFlight(state: LoopState): Promise<'complete' | 'aborted' | undefined> {
		const {control} = this.context;
		if (control.requestedDevice !== undefined) {
			await this.switchDevice(control.requestedDevice, 'user');
			control.requestedDevice = undefined;
		} else if (control.aborting) {
			return 'aborted';
		} else if (control.paused) {
			this.watchdog.paused();
			await control.waitWhilePaused();
			this.watchdog.resumed();
		} else if (state.exhausted && state.queue.length === 0) {
			advanceCursor(this.context.db, this.context.runId, state.readCursor);
			return 'complete';
		}

		return undefined;
	}

	private submit(planned: PlannedBatch): PendingBatch {
		const {context} = this;
		const {rows, unique, cursorAfter} = planned;
		const result = (async (): Promise<Settled> => {
			await context.faults.beforeModelCall({
				messageIds: rows.map(row => row.messageId),
				modelRows: unique.length,
				batchSize: context.control.batchSize,
				device: context.embedder.device,
			});
			const dimension = context.vectors.dimension;
			context.events.emit('batch:start', {size: rows.length, firstRowid: rows[0]?.rowid ?? 0});
			const produced = unique.length > 0 ? await context.vectors.produce(unique) : {result: {vectors: new Float32Array(), dimension, inferenceMs: 0}, truncated: 0};
			const vectors = vectorsInRowOrder(planned, produced.result.vectors, dimension, this.cache);
			return {ok: true, value: {...produced.result, vectors, dimension}, truncated: produced.truncated};
		})().catch((error: unknown): Settled => ({ok: false, error}));
		return {rows, modelRows: unique.length, cursorAfter, result};
	}

	/** Embeds rows one chunk after another (no pipelining): the path for retries and bisection. */
	private async embedSequentially(rows: TargetRow[], chunkSize: number, cursorAfter: number): Promise<void> {
		for (let start = 0; start < rows.length; start += chunkSize) {
			const chunk = rows.slice(start, start + chunkSize);
			// Rows of a planned batch are not in rowid order: only its last chunk may move the cursor.
			const chunkCursor = start + chunkSize >= rows.length ? cursorAfter : 0;
			const settled = await this.submit(plainBatch(chunk, chunkCursor)).result;
			await (settled.ok ? this.committer.commit(chunk, settled.value, chunkCursor, settled.truncated) : this.resolveFailure(chunk, chunkCursor, settled.error, {retry: true}));
		}
	}

	private async resolveFailure(rows: TargetRow[], cursorAfter: number, error: unknown, {retry = false, modelRows = rows.length}: {retry?: boolean; modelRows?: number} = {}): Promise<void> {
		const {context} = this;
		const {control} = context;
		if ((error as {stopsRun?: boolean}).stopsRun === true) {
			// Nothing can embed any more (every endpoint gone): stop the run; bisecting would only
			// record every remaining message as failed.
			throw error;
		}

		const kind = classifyBatchError(error);
		const message = errorMessage(error).split('\n')[0]!;
		context.events.emit('batch:error', {kind, message, offset: rows[0]!.rowid, size: rows.length});
		context.log('ERROR', logText.batchFailed(rows[0]!.rowid, message));
		if (kind === 'oom') {
			if (modelRows > 1) {
				// Halve only for a batch at the current size in texts the model got (duplicates ride
				// along); batches sent before an earlier halving are just split.
				if (modelRows <= control.batchSize) {
					const from = control.batchSize;
					const to = control.setBatchSize(Math.floor(modelRows / 2), 'oom');
					control.tokenBudget = Math.max(64, Math.floor(control.tokenBudget / 2));
					context.log('WARNING', logText.batchHalvedOnOom(from, to));
				}

				await this.embedSequentially(rows, control.batchSize, cursorAfter);
				return;
			}

			await this.outOfMemoryOnOneText(rows, cursorAfter, message);
			return;
		}

		if (rows.length > 1) {
			const half = Math.ceil(rows.length / 2);
			await this.embedSequentially(rows, half, cursorAfter);
			return;
		}

		if (!retry) {
			// One more try for a single message before it is written off (transient errors).
			await this.embedSequentially(rows, 1, cursorAfter);
			return;
		}

		await recordRowFailure(context, rows[0]!, kind, message, cursorAfter);
	}

	/**
	 * Out of memory with one text for the model (its copies and remembered texts riding along): no
	 * smaller batch helps. The CPU may; else that text's rows are written off in one go (no call per
	 * copy) and the rows whose vectors are known are committed.
	 */
	private async outOfMemoryOnOneText(rows: TargetRow[], cursorAfter: number, message: string): Promise<void> {
		const {context} = this;
		if (context.embedder.device === 'cuda' && context.settings.hardware_detection.fallback_to_cpu) {
			await this.switchDevice('cpu', 'oom');
			await this.embedRegrouped(rows, cursorAfter);
			return;
		}

		const {unique, keys} = regroupedBatch(rows, cursorAfter, this.cache);
		if (unique.length !== 1) {
			// None left for the model (every text remembered), or several (the rows were sent plain):
			// each text on its own, so only the one that does not fit is written off. Never plain
			// batches again: those would send remembered texts back to the model, without end.
			const groups = [...rowsByKey(rows, keys).values()];
			for (const [index, group] of groups.entries()) {
				await this.embedRegrouped(group, index === groups.length - 1 ? cursorAfter : 0);
			}

			return;
		}

		const failedKey = keys[rows.indexOf(unique[0]!)];
		const known = rows.filter((_row, index) => keys[index] !== failedKey);
		const failed = rows.filter((_row, index) => keys[index] === failedKey);
		for (const [index, row] of failed.entries()) {
			await recordRowFailure(context, row, 'oom', message, known.length === 0 && index === failed.length - 1 ? cursorAfter : 0);
		}

		if (known.length > 0) {
			await this.embedRegrouped(known, cursorAfter);
		}
	}

	/** Sends rows again as one batch, each distinct text once (after the move to the CPU, or for known texts). */
	private async embedRegrouped(rows: TargetRow[], cursorAfter: number): Promise<void> {
		const planned = regroupedBatch(rows, cursorAfter, this.cache);
		const settled = await this.submit(planned).result;
		await (settled.ok ? this.committer.commit(rows, settled.value, cursorAfter, settled.truncated) : this.resolveFailure(rows, cursorAfter, settled.error, {retry: true, modelRows: planned.unique.length}));
	}

	private async switchDevice(device: Device, reason: DeviceChangeReason): Promise<void> {
		const {context} = this;
		const from = context.embedder.device;
		if (from === device) {
			return;
		}

		if (reason === 'oom') {
			context.log('WARNING', logText.gpuOutOfMemory());
		}

		await context.embedder.switchDevice(device);
		context.events.emit('device:change', {from, to: device, reason});
		if (device === 'cpu') {
			context.log('INFO', logText.continueOnCpu());
		}

		emitProgress(context);
	}
}
