/** Every path the tool touches, derived from one workspace root (the bot's working directory). */
import path from 'node:path';

export type WorkspacePaths = {
	root: string;
	settings: string;
	settingsBackup: string;
	settingsExample: string;
	database: string;
	databaseBackup: string;
	indices: string;
	indicesBackup: string;
	indicesStaging: string;
	indicesRetired: string;
	modelCache: string;
	logs: string;
	state: string;
	lock: string;
};

export const defaultDatabasePath = 'data/memory/memory.db';

/**
 * Resolves the workspace layout. `databasePath` comes from settings (memory_system.database_path)
 * and is relative to the root unless absolute; the indices live beside the database, as in PigPig.
 */
export function workspacePaths(root: string, databasePath = defaultDatabasePath): WorkspacePaths {
	const absoluteRoot = path.resolve(root);
	const database = path.resolve(absoluteRoot, databasePath);
	const memoryDir = path.dirname(database);
	return {
		root: absoluteRoot,
		settings: path.join(absoluteRoot, 'settings.json'),
		settingsBackup: path.join(absoluteRoot, 'settings.json.backup'),
		settingsExample: path.join(absoluteRoot, 'settings_qwen3_example.json'),
		database,
		databaseBackup: `${database}.backup`,
		indices: path.join(memoryDir, 'indices'),
		indicesBackup: path.join(memoryDir, 'indices.backup'),
		indicesStaging: path.join(memoryDir, 'indices.qwen3-staging'),
		indicesRetired: path.join(memoryDir, 'indices.qwen3-retired'),
		modelCache: path.join(memoryDir, 'models'),
		logs: path.join(absoluteRoot, 'logs'),
		state: path.join(memoryDir, 'qwen3-migrate'),
		lock: path.join(memoryDir, 'qwen3-migrate', 'migration.lock'),
	};
}
