/**
 * A workspace's whole observable state, for "ends exactly where the uninterrupted command ends"
 * comparisons: file contents (through symlinks), which names are links, the bot's tables, and
 * whether our bookkeeping is left in the database.
 */
import {lstatSync, readdirSync} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {hashTree, sha256File} from '../../source/engine/migration/backup.js';
import type {WorkspacePaths} from '../../source/engine/workspace.js';
import {dumpBotTables} from '../helpers/workspace.js';

export type WorkspaceState = {
	settings: string;
	indices: Record<string, string>;
	names: string[];
	bot: Record<string, unknown[]>;
	ourTables: string[];
};

/** Names in the root and the memory directory (WAL side files left out), links marked with @. */
function listNames(paths: WorkspacePaths): string[] {
	const list = (directory: string) =>
		readdirSync(directory)
			.filter(name => !name.endsWith('-wal') && !name.endsWith('-shm') && name !== 'logs')
			.map(name => `${path.relative(paths.root, path.join(directory, name))}${lstatSync(path.join(directory, name)).isSymbolicLink() ? '@' : ''}`);
	return [...list(paths.root), ...list(path.dirname(paths.database))].sort();
}

export function workspaceState(paths: WorkspacePaths): WorkspaceState {
	const db = new Database(paths.database, {readonly: true});
	let ourTables: string[];
	try {
		ourTables = (db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'qwen3_migrate_%' ORDER BY name").all() as Array<{name: string}>).map(row => row.name);
	} finally {
		db.close();
	}

	return {
		settings: sha256File(paths.settings),
		indices: Object.fromEntries([...hashTree(`${paths.indices}/`)].sort()),
		names: listNames(paths),
		bot: dumpBotTables(paths.database),
		ourTables,
	};
}
