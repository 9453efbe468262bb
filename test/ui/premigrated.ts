/** Stores target-model vectors for some messages, as an earlier run (or the bot after a switch) would have. */
import Database from 'better-sqlite3';
import {targetMessageIds} from '../helpers/workspace.js';

export const targetModel = 'Qwen/Qwen3-Embedding-0.6B';

/** Gives the first `count` target messages a `dimension`-d vector of the target model; returns their ids. */
export function premigrate(databaseFile: string, count: number, dimension: number): string[] {
	const ids = targetMessageIds(databaseFile).slice(0, count);
	const db = new Database(databaseFile);
	try {
		const insert = db.prepare(`INSERT INTO embeddings (message_id, channel_id, user_id, vector_data, model_version, dimension)
			SELECT message_id, channel_id, user_id, ?, ?, ? FROM messages WHERE message_id = ?`);
		const vector = Buffer.alloc(dimension * 4);
		vector.writeFloatLE(1, 0);
		db.transaction(() => {
			for (const id of ids) {
				insert.run(vector, targetModel, dimension, id);
			}
		})();
		db.pragma('wal_checkpoint(TRUNCATE)');
	} finally {
		db.close();
	}

	return ids;
}
