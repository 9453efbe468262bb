/**
 * Rows the model must never see: content that is not text, not valid UTF-8, or too large to be a
 * chat message, and messages whose channel row is missing. Each is set aside with its reason (the
 * embed loop records it as a failure) so one odd row can neither crash nor stall the run.
 */
import type Database from 'better-sqlite3';
import {invalidVectorReason} from '../embed/vector-guard.js';
import {notFailedSql} from '../run-store/index.js';
import type {TargetModel, TargetRow} from '../types.js';

/**
 * Content over this many bytes is not read at all: Discord caps a message at 4,000 characters, so
 * a megabyte is corruption or an import gone wrong, and the bot keeps only 512 code points anyway.
 */
export const maxContentBytes = 1024 * 1024;

/** A target row as SQL returns it, before it is known to be embeddable. */
export type RawTargetRow = TargetRow & {textType: string; bytes: number | null; knownChannel: string | null};

export type RejectedRow = {row: TargetRow; reason: string};

const strictUtf8 = new TextDecoder('utf-8', {fatal: true});

/** The byte offset of the first invalid UTF-8 sequence, or undefined when the bytes are valid. */
function firstInvalidUtf8Byte(bytes: Uint8Array): number | undefined {
	try {
		strictUtf8.decode(bytes);
		return undefined;
	} catch {
		let good = 0;
		let bad = bytes.length;
		// Bisect on the longest valid prefix; a cut inside a valid sequence only moves the bound.
		while (bad - good > 4) {
			const middle = Math.floor((good + bad) / 2);
			try {
				strictUtf8.decode(bytes.subarray(0, middle));
				good = middle;
			} catch {
				bad = middle;
			}
		}

		return good;
	}
}

/**
 * Splits raw rows into embeddable ones and rejects. `rawBytes` fetches a row's stored bytes; it
 * is only asked for rows whose decoded text holds U+FFFD, the mark of a replaced invalid sequence
 * (a message that really contains U+FFFD passes the strict check and is embedded).
 */
export function sortOddRows(raw: RawTargetRow[], rawBytes: (rowid: number) => Buffer | undefined): {rows: TargetRow[]; rejected: RejectedRow[]} {
	const rows: TargetRow[] = [];
	const rejected: RejectedRow[] = [];
	for (const {textType, bytes, knownChannel, ...row} of raw) {
		const reason = oddRowReason(row, textType, bytes, knownChannel, rawBytes);
		if (reason) {
			rejected.push({row: {...row, text: ''}, reason});
		} else {
			// An integer or real content (possible only where the column lacks TEXT affinity) is embedded as its text, as the bot's str() would.
			rows.push({...row, text: String(row.text)});
		}
	}

	return {rows, rejected};
}

function oddRowReason(row: TargetRow, textType: string, bytes: number | null, knownChannel: string | null, rawBytes: (rowid: number) => Buffer | undefined): string | undefined {
	if (knownChannel === null) {
		return `channel ${row.channelId} has no row in channels (the bot cannot index it)`;
	}

	if (textType === 'blob') {
		return `content is a BLOB of ${bytes ?? 0} bytes, not text`;
	}

	if ((bytes ?? 0) > maxContentBytes) {
		return `content is ${((bytes ?? 0) / 1024 / 1024).toFixed(1)} MB, over the ${maxContentBytes / 1024 / 1024} MB a chat message can be; it was not read`;
	}

	if (typeof row.text === 'string' && row.text.includes('\uFFFD')) {
		const stored = rawBytes(row.rowid);
		const at = stored ? firstInvalidUtf8Byte(stored) : undefined;
		if (at !== undefined) {
			return `content is not valid UTF-8 (invalid byte near offset ${at}); left as stored, not rewritten`;
		}
	}

	return undefined;
}

/** A pre-existing new-model row the bot would load as garbage. */
export type CorruptTargetRow = {id: number; row: TargetRow; reason: string};

/**
 * New-model rows that were already in the database (an earlier tool, a hand-made import) and do
 * not hold a usable vector. Such a message counts as migrated, so without this it would neither be
 * embedded again nor load into an index: it is recorded instead, and the row is left alone.
 */
export function findCorruptTargetRows(db: Database.Database, target: TargetModel, runId: string, watermark: number): CorruptTargetRow[] {
	const statement = db.prepare(`
		SELECT e.id AS id, e.vector_data AS blob, m.rowid AS rowid, m.message_id AS messageId, m.channel_id AS channelId, m.user_id AS userId
		FROM embeddings e JOIN messages m ON m.message_id = e.message_id
		WHERE e.id > @after AND e.id <= @watermark AND +e.model_version = @model AND +e.dimension = @dimension
			AND ${notFailedSql('e')}
		ORDER BY e.id LIMIT 512`);
	const corrupt: CorruptTargetRow[] = [];
	for (let after = 0; ;) {
		const page = statement.all({after, watermark, run: runId, ...target}) as Array<{id: number; blob: unknown; rowid: number; messageId: string; channelId: string; userId: string | null}>;
		for (const {id, blob, ...row} of page) {
			const reason = blobReason(blob, target.dimension);
			if (reason) {
				corrupt.push({id, row: {...row, text: ''}, reason: `existing ${target.model} row ${id} is corrupt: ${reason}; left in place, run \`qwen3-migrate verify\``});
			}
		}

		if (page.length < 512) {
			return corrupt;
		}

		after = page.at(-1)!.id;
	}
}

/** Why a stored blob is not a usable vector of `dimension`, or undefined when it is. */
export function blobReason(blob: unknown, dimension: number): string | undefined {
	if (!Buffer.isBuffer(blob)) {
		return `vector_data is ${blob === null ? 'NULL' : typeof blob}, not a BLOB`;
	}

	if (blob.byteLength !== dimension * 4) {
		return `blob is ${blob.byteLength} bytes, expected ${dimension * 4}`;
	}

	const aligned = new Float32Array(dimension);
	new Uint8Array(aligned.buffer).set(blob);
	return invalidVectorReason(aligned);
}
