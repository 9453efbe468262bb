/**
 * Commits an embedded batch: its vectors (refused when invalid) and its checkpoint, through the
 * commit worker, then the counters, the batch event, progress, and a log line every 5%.
 */
import type {EmbeddingResult} from '../embed/embedder.js';
import {logText} from '../log/messages.js';
import {commitWithBusyRetry} from './commit-retry.js';
import {emitProgress, type RunContext} from './context.js';
import type {EmbedWatchdog} from './embed-watchdog.js';
import {refuseInvalidVectors} from './record-failure.js';
import type {TargetRow} from './target-set.js';

/**
 * Rows per write transaction: bounds how long one commit holds the write lock, which the bot's
 * own writes wait behind. Measured on a 100,000-message database: 64 rows stay under ~20 ms.
 */
const commitChunkRows = 64;

export class BatchCommitter {
	private nextProgressLogPercent: number;

	constructor(
		private readonly context: RunContext,
		private readonly watchdog: EmbedWatchdog,
	) {
		const {done, total} = context.counters;
		this.nextProgressLogPercent = total === 0 ? 100 : Math.floor(((done / total) * 100) / 5) * 5 + 5;
	}

	/**
	 * Writes a batch's vectors with its checkpoint. A batch that carries many duplicates is written
	 * in transactions of `commitChunkRows` (each awaits the commit worker, so the event loop runs
	 * between them); only the last one moves the checkpoint, and a row is never written twice (the
	 * insert checks).
	 */
	async commit(allRows: TargetRow[], checked: EmbeddingResult, cursor: number, truncated: number): Promise<void> {
		const {context} = this;
		const started = context.now();
		const {rows, result} = await refuseInvalidVectors(context, allRows, checked);
		const {dimension} = result;
		let embedded = 0;
		// At least one transaction even when every vector was refused: the checkpoint still moves.
		for (let start = 0; start === 0 || start < rows.length; start += commitChunkRows) {
			const last = start + commitChunkRows >= rows.length;
			const end = Math.min(rows.length, start + commitChunkRows);
			embedded += await commitWithBusyRetry(context, {
				rows: rows.slice(start, end),
				vectors: result.vectors.subarray(start * dimension, end * dimension),
				dimension,
				cursor: last ? cursor : 0,
				truncated: last ? truncated : 0,
			});
		}

		this.afterCommit(embedded, truncated, context.now() - started, result.inferenceMs, rows.length);
	}

	private afterCommit(embedded: number, truncated: number, commitMs: number, inferenceMs: number, size: number): void {
		const {context} = this;
		this.watchdog.committed();
		context.counters.done += embedded;
		context.counters.truncated += truncated;
		context.events.emit('batch:commit:done', {size, ms: commitMs, inferenceMs});
		emitProgress(context);
		const {done, total} = context.counters;
		const percent = total === 0 ? 100 : (done / total) * 100;
		if (percent >= this.nextProgressLogPercent) {
			context.log('INFO', logText.progress(Math.min(percent, 100)));
			this.nextProgressLogPercent = Math.floor(percent / 5) * 5 + 5;
		}
	}
}
