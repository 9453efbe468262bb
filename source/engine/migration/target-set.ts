/**
 * The target set: every message whose text (content_processed, else content) is not blank, in a
 * channel with vectors on. Reads walk it by rowid in bounded windows, so no single statement
 * scans the whole table and the event loop stays free.
 */
import type Database from 'better-sqlite3';
import {notFailedSql} from '../run-store/index.js';
import {botBlankSql} from '../text/bot-text.js';
import type {TargetModel, TargetRow} from '../types.js';
import {maxContentBytes, sortOddRows, type RawTargetRow, type RejectedRow} from './odd-rows.js';

export {maxContentBytes} from './odd-rows.js';
export type {RejectedRow} from './odd-rows.js';

export const textSql = "COALESCE(NULLIF(m.content_processed, ''), m.content)";
export const enabledSql = "COALESCE(c.vector_enabled, 1) NOT IN (0, '0', 'false', 'False', 'FALSE')";
/** Blank exactly as the bot's rule sees it (Python's whitespace set), so counts match what is sent. */
export const blankSql = botBlankSql(textSql);
const fromSql = 'FROM messages m LEFT JOIN channels c ON c.channel_id = m.channel_id';

/** Rows scanned per statement. */
export const scanWindow = 1000;

export type {TargetModel, TargetRow} from '../types.js';

// The unary + keeps SQLite on the message_id index: without ANALYZE it would pick the model_version index,
// which makes this lookup scan every new row for every message.
const hasTargetVector = 'EXISTS (SELECT 1 FROM embeddings e WHERE e.message_id = m.message_id AND +e.model_version = @model AND +e.dimension = @dimension)';

export type TargetCounts = {
	/** Non-blank messages in vector-enabled channels. */
	total: number;
	/** Of those, how many already have a vector of the target model and dimension. */
	done: number;
	/** Blank messages in vector-enabled channels (reported, never embedded). */
	blank: number;
	/** Messages in channels with vectors off. */
	disabled: number;
	maxRowid: number;
};

const yieldToEventLoop = () => new Promise(resolve => setImmediate(resolve));

/** Counts the target set window by window, yielding between windows. */
export async function countTargetSet(db: Database.Database, target: TargetModel): Promise<TargetCounts> {
	const maxRowid = (db.prepare('SELECT COALESCE(MAX(rowid), 0) AS max FROM messages').get() as {max: number}).max;
	const statement = db.prepare(`
		SELECT
			SUM(CASE WHEN ${enabledSql} AND NOT ${blankSql} THEN 1 ELSE 0 END) AS total,
			SUM(CASE WHEN ${enabledSql} AND NOT ${blankSql} AND ${hasTargetVector} THEN 1 ELSE 0 END) AS done,
			SUM(CASE WHEN ${enabledSql} AND ${blankSql} THEN 1 ELSE 0 END) AS blank,
			SUM(CASE WHEN NOT ${enabledSql} THEN 1 ELSE 0 END) AS disabled
		${fromSql} WHERE m.rowid > @from AND m.rowid <= @to`);
	const counts: TargetCounts = {total: 0, done: 0, blank: 0, disabled: 0, maxRowid};
	for (let from = 0; from < maxRowid; from += scanWindow) {
		const row = statement.get({from, to: from + scanWindow, ...target}) as Record<'total' | 'done' | 'blank' | 'disabled', number | null>;
		counts.total += row.total ?? 0;
		counts.done += row.done ?? 0;
		counts.blank += row.blank ?? 0;
		counts.disabled += row.disabled ?? 0;
		await yieldToEventLoop();
	}

	return counts;
}

export class TargetReader {
	private readonly statement: Database.Statement;
	private readonly maxRowidStatement: Database.Statement;
	private readonly rawBytesStatement: Database.Statement;

	constructor(
		private readonly db: Database.Database,
		private readonly target: TargetModel,
		private readonly runId: string,
	) {
		this.statement = db.prepare(`
			SELECT m.rowid AS rowid, m.message_id AS messageId, m.channel_id AS channelId, m.user_id AS userId,
				typeof(${textSql}) AS textType, length(CAST(${textSql} AS BLOB)) AS bytes, c.channel_id AS knownChannel,
				CASE WHEN typeof(${textSql}) <> 'blob' AND length(CAST(${textSql} AS BLOB)) <= ${maxContentBytes} THEN ${textSql} END AS text
			${fromSql}
			WHERE m.rowid > @from AND m.rowid <= @to
				AND ${enabledSql} AND NOT ${blankSql}
				AND NOT ${hasTargetVector}
				AND ${notFailedSql('m')}
			ORDER BY m.rowid LIMIT @limit`);
		this.maxRowidStatement = db.prepare('SELECT COALESCE(MAX(rowid), 0) AS max FROM messages');
		this.rawBytesStatement = db.prepare(`SELECT CAST(${textSql} AS BLOB) AS bytes FROM messages m WHERE m.rowid = ?`).pluck();
	}

	/**
	 * Up to `limit` target rows still needing a vector, with rowid > `after`, scanning at most
	 * `maxWindows` windows. `next` is the rowid up to which the scan is complete: once these rows
	 * are resolved, every target row ≤ `next` is. `rejected` rows (odd-rows.ts) count against
	 * `limit` too; the caller records them as failures, which keeps them out of later reads.
	 */
	read(after: number, limit: number, maxWindows = 2): {rows: TargetRow[]; rejected: RejectedRow[]; next: number; exhausted: boolean} {
		const maxRowid = (this.maxRowidStatement.get() as {max: number}).max;
		const rows: TargetRow[] = [];
		const rejected: RejectedRow[] = [];
		const rawBytes = (rowid: number) => this.rawBytesStatement.get(rowid) as Buffer | undefined;
		let from = after;
		for (let window = 0; window < maxWindows && from < maxRowid; window++) {
			const wanted = limit - rows.length - rejected.length;
			const found = this.statement.all({from, to: from + scanWindow, limit: wanted, run: this.runId, ...this.target}) as RawTargetRow[];
			const sorted = sortOddRows(found, rawBytes);
			rows.push(...sorted.rows);
			rejected.push(...sorted.rejected);
			if (found.length === wanted) {
				return {rows, rejected, next: found.at(-1)!.rowid, exhausted: false};
			}

			from += scanWindow;
		}

		return {rows, rejected, next: Math.max(after, Math.min(from, maxRowid)), exhausted: from >= maxRowid};
	}
}
