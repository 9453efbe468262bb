/** Demo workspaces for tests: generated once per process and options, then copied per test. */
import {cpSync} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {createDemoWorkspace, type DemoOptions} from '../../source/demo/create-workspace.js';
import {workspacePaths, type WorkspacePaths} from '../../source/engine/workspace.js';
import {makeTempDir} from './temp.js';

const templates = new Map<string, Promise<string>>();

/** A fresh copy of a demo workspace (small by default, with fast models). */
export async function demoWorkspace(options: DemoOptions = {}): Promise<WorkspacePaths> {
	const settled = {messages: 400, channels: 3, sourceDimension: 32, targetDimension: 48, ...options};
	const key = JSON.stringify(settled);
	let template = templates.get(key);
	if (!template) {
		template = (async () => {
			const root = path.join(makeTempDir('qwen3-template-'), 'ws');
			await createDemoWorkspace(root, settled);
			return root;
		})();
		templates.set(key, template);
	}

	const copy = path.join(makeTempDir('qwen3-ws-'), 'ws');
	cpSync(await template, copy, {recursive: true});
	return workspacePaths(copy);
}

/** Every row of the bot's tables, sorted, for before/after comparisons. */
export function dumpBotTables(databaseFile: string): Record<string, unknown[]> {
	const db = new Database(databaseFile, {readonly: true});
	try {
		const tables = ['channels', 'messages', 'embeddings', 'memory_config', 'performance_metrics', 'conversation_segments', 'segment_messages'];
		return Object.fromEntries(tables.map(table => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()]));
	} finally {
		db.close();
	}
}

export type VectorRow = {message_id: string; channel_id: string; dimension: number; vector_data: Buffer; id: number};

/** New-model rows, and how many target messages have exactly one. */
export function targetRows(databaseFile: string, model = 'Qwen/Qwen3-Embedding-0.6B'): VectorRow[] {
	const db = new Database(databaseFile, {readonly: true});
	try {
		return db.prepare('SELECT id, message_id, channel_id, dimension, vector_data FROM embeddings WHERE model_version = ?').all(model) as VectorRow[];
	} finally {
		db.close();
	}
}

/** Message ids of the target set: non-blank text, channel with vectors on. */
export function targetMessageIds(databaseFile: string): string[] {
	const db = new Database(databaseFile, {readonly: true});
	try {
		const rows = db
			.prepare(`SELECT m.message_id AS id, COALESCE(NULLIF(m.content_processed, ''), m.content) AS text
				FROM messages m JOIN channels c ON c.channel_id = m.channel_id WHERE c.vector_enabled = 1`)
			.all() as Array<{id: string; text: string}>;
		return rows.filter(row => row.text.trim() !== '').map(row => row.id);
	} finally {
		db.close();
	}
}

export function integrityCheck(databaseFile: string): string {
	const db = new Database(databaseFile, {readonly: true});
	try {
		return db.pragma('integrity_check', {simple: true}) as string;
	} finally {
		db.close();
	}
}

/** The text the bot embeds for each message (content_processed when non-empty, else content), by id. */
export function messageTexts(databaseFile: string): Map<string, string> {
	const db = new Database(databaseFile, {readonly: true});
	try {
		const rows = db.prepare('SELECT message_id AS id, COALESCE(NULLIF(content_processed, \'\'), content) AS text FROM messages').all() as Array<{id: string; text: string}>;
		return new Map(rows.map(row => [row.id, row.text]));
	} finally {
		db.close();
	}
}

const oldModel = 'sentence-transformers/paraphrase-multilingual-mpnet-base-v2';

/** Stores messages as the old bot does (text and an old-model vector), spread over the vector-enabled channels. */
export function storeAsOldBot(databaseFile: string, prefix: string, count: number): Array<{id: string; channel: string}> {
	const db = new Database(databaseFile, {timeout: 5000});
	try {
		const channels = (db.prepare('SELECT channel_id AS id FROM channels WHERE vector_enabled = 1 ORDER BY channel_id').all() as Array<{id: string}>).map(row => row.id);
		const dimension = (db.prepare('SELECT dimension FROM embeddings WHERE model_version = ? LIMIT 1').get(oldModel) as {dimension: number}).dimension;
		const stored: Array<{id: string; channel: string}> = [];
		db.transaction(() => {
			for (let index = 0; index < count; index++) {
				const message = {id: `${prefix}-${index}`, channel: channels[index % channels.length]!};
				db.prepare("INSERT INTO messages (message_id, channel_id, user_id, content, timestamp) VALUES (?, ?, 'u', ?, datetime('now'))").run(message.id, message.channel, `late message ${index} 遲到的訊息`);
				db.prepare('INSERT INTO embeddings (message_id, channel_id, user_id, vector_data, model_version, dimension) VALUES (?, ?, ?, ?, ?, ?)').run(message.id, message.channel, 'u', Buffer.alloc(dimension * 4, 1), oldModel, dimension);
				stored.push(message);
			}
		})();
		return stored;
	} finally {
		db.close();
	}
}
