/**
 * Stands in for the running bot: a separate process that stores new messages (with an old-model
 * vector, as the bot does) through its own connection while a migration runs.
 * Usage: node bot-writer.js <memory.db> <count> <intervalMs>
 */
import Database from 'better-sqlite3';

const [databaseFile, countText, intervalText] = process.argv.slice(2);
const db = new Database(databaseFile, {timeout: 5000});
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');
const channel = (db.prepare('SELECT channel_id FROM channels WHERE vector_enabled = 1 ORDER BY channel_id LIMIT 1').get() as {channel_id: string}).channel_id;
const dimension = (db.prepare("SELECT dimension FROM embeddings WHERE model_version LIKE 'sentence-transformers/%' LIMIT 1").get() as {dimension: number}).dimension;
const storeMessage = db.transaction((index: number) => {
	const id = `bot-${process.pid}-${index}`;
	db.prepare("INSERT INTO messages (message_id, channel_id, user_id, content, timestamp) VALUES (?, ?, 'u', ?, datetime('now'))").run(id, channel, `new message ${index} 新訊息`);
	db.prepare('INSERT INTO embeddings (message_id, channel_id, user_id, vector_data, model_version, dimension) VALUES (?, ?, ?, ?, ?, ?)').run(
		id,
		channel,
		'u',
		Buffer.alloc(dimension * 4),
		'sentence-transformers/paraphrase-multilingual-mpnet-base-v2',
		dimension,
	);
	db.prepare('UPDATE channels SET message_count = message_count + 1, last_active = CURRENT_TIMESTAMP WHERE channel_id = ?').run(channel);
});

let written = 0;
const timer = setInterval(() => {
	storeMessage.immediate(written++);
	if (written >= Number(countText)) {
		clearInterval(timer);
		db.close();
		process.stdout.write(`${written}\n`);
	}
}, Number(intervalText));
