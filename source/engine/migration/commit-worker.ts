/**
 * Worker thread that commits the embed phase's writes on its own connection: each batch's new rows
 * and the run's checkpoint in one transaction, and the failures table. Appending to the WAL can
 * sleep in the kernel for tens of milliseconds (filesystem block allocation); here that sleep
 * never holds the engine's event loop. Requests are handled one at a time, in order.
 */
import {parentPort, workerData} from 'node:worker_threads';
import type Database from 'better-sqlite3';
import {openMemoryDatabase} from '../db/connection.js';
import {encodeVector} from '../db/vectors.js';
import {errorMessage} from '../errors.js';
import {prepareCheckpointStatements} from '../run-store/index.js';
import type {CommitJob, CommitRequest, CommitResponse} from './commit-protocol.js';

const job = workerData as CommitJob;

function post(message: CommitResponse): void {
	parentPort!.postMessage(message);
}

function sqliteCode(error: unknown): string | undefined {
	const cause = (error as {cause?: unknown}).cause ?? error;
	return (cause as {code?: string}).code;
}

let db: Database.Database;
try {
	db = openMemoryDatabase(job.databasePath, {busyTimeoutMs: job.busyTimeoutMs});
	// The run's checkpointer thread copies the WAL back; this connection only appends.
	db.pragma('wal_autocheckpoint = 0');
} catch (error) {
	post({type: 'fatal', message: errorMessage(error), code: sqliteCode(error)});
	parentPort!.close();
	throw error;
}

type Statements = {
	commitBatch: (request: CommitRequest & {type: 'commit'}) => number;
	recordFailure: (request: CommitRequest & {type: 'failure'}) => void;
};

/** Prepared on the first request: the run's state tables exist only once the backup phase made them. */
function prepareStatements(connection: Database.Database): Statements {
	const insert = connection.prepare(`
		INSERT INTO embeddings (message_id, channel_id, user_id, vector_data, model_version, dimension)
		SELECT @messageId, @channelId, @userId, @vector, @model, @dimension
		WHERE EXISTS (SELECT 1 FROM messages WHERE message_id = @messageId)
			AND NOT EXISTS (SELECT 1 FROM embeddings WHERE message_id = @messageId AND +model_version = @model AND +dimension = @dimension)`);
	const store = prepareCheckpointStatements(connection);
	return {
		/** A batch's rows and its checkpoint: both or neither. Returns the rows actually inserted. */
		commitBatch: connection.transaction(({runId, model, rows, vectors, dimension, cursor, truncated}: CommitRequest & {type: 'commit'}) => {
			let embedded = 0;
			for (const [index, row] of rows.entries()) {
				embedded += insert.run({
					messageId: row.messageId,
					channelId: row.channelId,
					userId: row.userId,
					vector: encodeVector(vectors.subarray(index * dimension, (index + 1) * dimension)),
					model,
					dimension,
				}).changes;
			}

			store.advance({runId, cursor, embedded, truncated, now: new Date().toISOString()});
			return embedded;
		}),
		recordFailure: connection.transaction(({runId, row, kind, error, cursor}: CommitRequest & {type: 'failure'}) => {
			const now = new Date().toISOString();
			store.recordFailure({runId, messageId: row.messageId, channelId: row.channelId, kind, error, now});
			store.advance({runId, cursor, embedded: 0, truncated: 0, now});
		}),
	};
}

let statements: Statements | undefined;

parentPort!.on('message', (request: CommitRequest) => {
	if (request.type === 'close') {
		db.close();
		parentPort!.close();
		return;
	}

	try {
		statements ??= prepareStatements(db);
		if (request.type === 'commit') {
			post({type: 'done', id: request.id, embedded: statements.commitBatch(request)});
		} else {
			statements.recordFailure(request);
			post({type: 'done', id: request.id, embedded: 0});
		}
	} catch (error) {
		post({type: 'error', id: request.id, message: errorMessage(error), code: sqliteCode(error)});
	}
});
