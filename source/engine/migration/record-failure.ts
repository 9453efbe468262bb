/** Writes a message off: the failures table (with the checkpoint), the counters, an event and a log line. */
import type {EmbeddingResult} from '../embed/embedder.js';
import {invalidRows} from '../embed/vector-guard.js';
import {clearFailures, latestRun} from '../run-store/index.js';
import {logText} from '../log/messages.js';
import {emitProgress, type RunContext} from './context.js';
import {findCorruptTargetRows, type RejectedRow} from './odd-rows.js';
import type {TargetRow} from './target-set.js';

export async function recordRowFailure(context: RunContext, row: TargetRow, kind: string, message: string, cursorAfter = 0): Promise<void> {
	await context.writer.recordFailure(context.runId, row, kind, message, cursorAfter);
	context.counters.failed++;
	context.events.emit('failure:record', {messageId: row.messageId, channelId: row.channelId, error: message});
	context.log('ERROR', logText.messageFailed(row.messageId, message));
	emitProgress(context);
}

/** The user asked to retry: the failed messages go back into the target set, for the catch-up pass to embed again. */
export function retryFailedMessages(context: RunContext): void {
	context.control.retryRequested = false;
	const cleared = clearFailures(context.db, context.runId);
	context.counters.failed = 0;
	context.log('INFO', logText.retryingFailed(cleared));
	emitProgress(context);
}

/** Odd rows (odd-rows.ts) become failures with their reasons; the run goes on without them. */
export async function recordRejectedRows(context: RunContext, rejected: RejectedRow[]): Promise<void> {
	for (const {row, reason} of rejected) {
		await recordRowFailure(context, row, 'invalid-row', reason);
	}
}

/**
 * Pre-existing new-model rows that hold no usable vector: their messages count as migrated, so
 * they are recorded (once: the scan skips recorded ones) before the first batch of a pass.
 */
export async function recordCorruptTargetRows(context: RunContext): Promise<void> {
	// Only rows that were there before this run (at or below its watermark): the run's own rows
	// passed the invalid-vector guard, so rescanning them would only cost a read of every vector.
	const watermark = latestRun(context.db)?.embedding_watermark ?? 0;
	for (const {row, reason} of findCorruptTargetRows(context.db, context.target, context.runId, watermark)) {
		await recordRowFailure(context, row, 'invalid-row', reason);
		context.counters.done = Math.max(0, context.counters.done - 1);
	}
}

/**
 * NaN, Infinity or a zero vector (a corrupt old vector under pad/truncate/transform, a model
 * gone wrong) is never committed: its message goes to failures with the reason.
 */
export async function refuseInvalidVectors(context: RunContext, rows: TargetRow[], result: EmbeddingResult): Promise<{rows: TargetRow[]; result: EmbeddingResult}> {
	const {dimension} = result;
	const invalid = invalidRows(result.vectors, dimension);
	if (invalid.length === 0) {
		return {rows, result};
	}

	for (const {row, reason} of invalid) {
		await recordRowFailure(context, rows[row]!, 'invalid-vector', reason);
	}

	const bad = new Set(invalid.map(({row}) => row));
	const kept = rows.filter((_row, index) => !bad.has(index));
	const vectors = new Float32Array(kept.length * dimension);
	let at = 0;
	for (const [index] of rows.entries()) {
		if (!bad.has(index)) {
			vectors.set(result.vectors.subarray(index * dimension, (index + 1) * dimension), at++ * dimension);
		}
	}

	return {rows: kept, result: {...result, vectors}};
}
