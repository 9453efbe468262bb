/** Messages between the embed loop and the commit worker (the thread that writes new vectors). */

export type CommitJob = {
	databasePath: string;
	/** How long a write waits for another process's lock before failing busy (default 5000 ms). */
	busyTimeoutMs?: number;
};

/** A message's identity as the embeddings row needs it. */
export type CommitRow = {messageId: string; channelId: string; userId: string | null};

export type CommitRequest =
	| {
			type: 'commit';
			id: number;
			runId: string;
			/** model_version of the new rows. */
			model: string;
			rows: CommitRow[];
			/** Row-major, `rows.length × dimension`. */
			vectors: Float32Array;
			dimension: number;
			/** Checkpoint: the run's cursor moves to at least this rowid (0 leaves it). */
			cursor: number;
			truncated: number;
	  }
	| {type: 'failure'; id: number; runId: string; row: CommitRow; kind: string; error: string; cursor: number}
	| {type: 'close'};

export type CommitResponse =
	| {type: 'done'; id: number; embedded: number}
	| {type: 'error'; id: number; message: string; code?: string}
	/** The worker could not open the database: every request fails with this. */
	| {type: 'fatal'; message: string; code?: string};
