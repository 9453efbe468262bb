/**
 * Commits one chunk of a batch through the commit worker, waiting and retrying (with backoff)
 * while another process holds the database's write lock; any other error, or a lock held too
 * long, stops the run with the database's own message.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {AppError, errorMessage} from '../errors.js';
import {logText} from '../log/messages.js';
import {classifyBatchError} from './classify.js';
import type {RunContext} from './context.js';
import {diskFullFrom, remainingWriteBytes} from './disk-full.js';
import type {TargetRow} from './target-set.js';

const maxBusyRetries = 30;

export type CommitChunk = {rows: TargetRow[]; vectors: Float32Array; dimension: number; cursor: number; truncated: number};

/** One transaction (rows and checkpoint); returns the rows actually inserted. */
export async function commitWithBusyRetry(context: RunContext, {rows, vectors, dimension, cursor, truncated}: CommitChunk): Promise<number> {
	for (let attempt = 1; ; attempt++) {
		try {
			context.faults.beforeCommit();
			return await context.writer.commit(context.runId, context.target.model, rows, vectors, dimension, cursor, truncated);
		} catch (error) {
			// A full disk is not a lock: stop cleanly with the space it takes to finish (the batch is not committed, so resuming redoes it).
			const diskFull = diskFullFrom(error, context.paths.database, remainingWriteBytes(context));
			if (diskFull) {
				throw diskFull;
			}

			if (classifyBatchError(error) !== 'busy' || attempt >= maxBusyRetries) {
				throw error instanceof AppError
					? error
					: new AppError('database-busy', `cannot write to ${context.paths.database}: ${errorMessage(error)}`, {
							hint: 'another process keeps the database locked; `qwen3-migrate check` lists who has it open. Run `migrate` again to resume.',
							cause: error,
						});
			}

			const waitMs = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
			context.events.emit('db:busy', {attempt, waitMs, message: errorMessage(error)});
			context.log('WARNING', logText.databaseBusy(waitMs, attempt));
			await sleep(waitMs);
		}
	}
}
