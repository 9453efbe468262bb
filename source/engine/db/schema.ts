/** The PigPig memory schema (cogs/memory/database.py), created only when a caller asks for it. */
import type Database from 'better-sqlite3';

const tables = [
	`CREATE TABLE IF NOT EXISTS channels (
		channel_id TEXT PRIMARY KEY,
		guild_id TEXT NOT NULL,
		created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
		last_active DATETIME DEFAULT CURRENT_TIMESTAMP,
		message_count INTEGER DEFAULT 0,
		vector_enabled BOOLEAN DEFAULT TRUE,
		config_profile TEXT DEFAULT 'auto',
		metadata TEXT
	)`,
	`CREATE TABLE IF NOT EXISTS messages (
		message_id TEXT PRIMARY KEY,
		channel_id TEXT NOT NULL,
		user_id TEXT NOT NULL,
		content TEXT NOT NULL,
		content_processed TEXT,
		timestamp DATETIME NOT NULL,
		message_type TEXT DEFAULT 'user',
		relevance_score REAL DEFAULT 0.0,
		metadata TEXT,
		FOREIGN KEY (channel_id) REFERENCES channels(channel_id) ON DELETE CASCADE
	)`,
	`CREATE TABLE IF NOT EXISTS embeddings (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		message_id TEXT NOT NULL,
		channel_id TEXT NOT NULL,
		user_id TEXT,
		vector_data BLOB NOT NULL,
		model_version TEXT NOT NULL,
		dimension INTEGER NOT NULL,
		created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
		FOREIGN KEY (message_id) REFERENCES messages(message_id) ON DELETE CASCADE
	)`,
	`CREATE TABLE IF NOT EXISTS memory_config (
		config_key TEXT PRIMARY KEY,
		config_value TEXT,
		config_type TEXT DEFAULT 'string',
		updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
	)`,
	`CREATE TABLE IF NOT EXISTS performance_metrics (
		metric_id TEXT PRIMARY KEY,
		timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
		metric_type TEXT NOT NULL,
		value REAL NOT NULL,
		metadata TEXT
	)`,
	`CREATE TABLE IF NOT EXISTS conversation_segments (
		segment_id TEXT PRIMARY KEY,
		channel_id TEXT NOT NULL,
		start_time DATETIME NOT NULL,
		end_time DATETIME NOT NULL,
		message_count INTEGER NOT NULL,
		semantic_coherence_score REAL DEFAULT 0.0,
		activity_level REAL DEFAULT 0.0,
		segment_summary TEXT,
		vector_data BLOB,
		created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
		updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
		metadata TEXT,
		FOREIGN KEY (channel_id) REFERENCES channels(channel_id) ON DELETE CASCADE
	)`,
	`CREATE TABLE IF NOT EXISTS segment_messages (
		segment_id TEXT NOT NULL,
		message_id TEXT NOT NULL,
		position_in_segment INTEGER NOT NULL,
		semantic_contribution_score REAL DEFAULT 0.0,
		PRIMARY KEY (segment_id, message_id),
		FOREIGN KEY (segment_id) REFERENCES conversation_segments(segment_id) ON DELETE CASCADE,
		FOREIGN KEY (message_id) REFERENCES messages(message_id) ON DELETE CASCADE
	)`,
];

const indexes = [
	'CREATE INDEX IF NOT EXISTS idx_messages_channel_id ON messages(channel_id)',
	'CREATE INDEX IF NOT EXISTS idx_messages_timestamp ON messages(timestamp)',
	'CREATE INDEX IF NOT EXISTS idx_messages_channel_timestamp ON messages(channel_id, timestamp)',
	'CREATE INDEX IF NOT EXISTS idx_embeddings_channel_id ON embeddings(channel_id)',
	'CREATE INDEX IF NOT EXISTS idx_embeddings_message_id ON embeddings(message_id)',
	'CREATE INDEX IF NOT EXISTS idx_embeddings_model_version ON embeddings(model_version)',
	'CREATE INDEX IF NOT EXISTS idx_channels_guild_id ON channels(guild_id)',
];

/** Tables the migration reads; without them there is nothing to migrate. */
export const requiredTables = ['channels', 'messages', 'embeddings'] as const;

export function createPigPigSchema(db: Database.Database): void {
	db.transaction(() => {
		for (const statement of [...tables, ...indexes]) {
			db.exec(statement);
		}
	})();
}

export function missingTables(db: Database.Database): string[] {
	const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{name: string}>;
	const present = new Set(rows.map(row => row.name));
	return requiredTables.filter(table => !present.has(table));
}
