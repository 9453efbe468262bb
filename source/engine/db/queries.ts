/** Typed statements over the PigPig tables that more than one part of the tool uses. */
import type Database from 'better-sqlite3';
import {encodeVector} from './vectors.js';

export type ChannelRow = {
	channel_id: string;
	guild_id: string;
	message_count: number;
	vector_enabled: number;
};

export type MessageRow = {
	message_id: string;
	channel_id: string;
	user_id: string;
	content: string;
	content_processed: string | null;
	timestamp: string;
};

export type EmbeddingInsert = {
	messageId: string;
	channelId: string;
	userId: string | null;
	vector: Float32Array;
	modelVersion: string;
};

/** SQL for "the text the bot embeds": content_processed when non-empty, else content. */
export const embeddedTextSql = "COALESCE(NULLIF(m.content_processed, ''), m.content)";

/** Whether a text counts as blank (never sent to a model): empty after trimming whitespace. */
export const blankTextSql = `TRIM(${embeddedTextSql}, ' ' || char(9) || char(10) || char(13) || char(11) || char(12)) = ''`;

export function insertStatements(db: Database.Database) {
	const channel = db.prepare(
		'INSERT INTO channels (channel_id, guild_id, message_count, vector_enabled, config_profile) VALUES (?, ?, ?, ?, ?)',
	);
	const message = db.prepare(
		'INSERT INTO messages (message_id, channel_id, user_id, content, content_processed, timestamp, message_type) VALUES (?, ?, ?, ?, ?, ?, ?)',
	);
	const embedding = db.prepare(
		'INSERT INTO embeddings (message_id, channel_id, user_id, vector_data, model_version, dimension) VALUES (?, ?, ?, ?, ?, ?)',
	);
	return {
		channel: (row: ChannelRow & {config_profile?: string}) =>
			channel.run(row.channel_id, row.guild_id, row.message_count, row.vector_enabled, row.config_profile ?? 'auto'),
		message: (row: MessageRow & {message_type?: string}) =>
			message.run(row.message_id, row.channel_id, row.user_id, row.content, row.content_processed, row.timestamp, row.message_type ?? 'user'),
		embedding: (row: EmbeddingInsert) =>
			embedding.run(row.messageId, row.channelId, row.userId, encodeVector(row.vector), row.modelVersion, row.vector.length),
	};
}

export type ModelCount = {model_version: string; dimension: number; count: number};

/** The guide's first consistency query: vectors per model and dimension. */
export function countEmbeddingsByModel(db: Database.Database): ModelCount[] {
	return db
		.prepare('SELECT model_version, dimension, COUNT(*) AS count FROM embeddings GROUP BY model_version, dimension ORDER BY model_version, dimension')
		.all() as ModelCount[];
}
