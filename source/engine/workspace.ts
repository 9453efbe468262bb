/**
 * The workspace: the bot's directory, made into one value in one place. Every command and every
 * engine entry point takes a `Workspace` (or, before settings can be trusted, its `WorkspacePaths`)
 * instead of re-deriving a path; bad input is rejected here, once, with a one-line error and fix.
 */
import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import {openMemoryDatabase, type OpenOptions} from './db/connection.js';
import {UsageError} from './errors.js';
import {loadSettings, type LoadedSettings} from './settings/load.js';
import type {MemorySystemSettings} from './settings/schema.js';

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

/** A workspace whose settings.json parsed and validated. */
export type Workspace = {
	readonly root: string;
	readonly paths: WorkspacePaths;
	readonly settings: LoadedSettings;
	/** `settings.settings.memory_system`, the section the tool reads. */
	readonly memory: MemorySystemSettings;
	/** Opens memory.db with the project's pragmas (WAL, foreign keys, busy timeout). */
	openDatabase(options?: OpenOptions): Database.Database;
};

/** Throws the one-line usage error for a missing workspace or a file given as one. */
export function requireWorkspaceDirectory(root: string): void {
	if (!existsSync(root)) {
		throw new UsageError(`workspace ${root} does not exist`, 'pass --workspace DIR: the bot\'s directory, which holds settings.json and data/memory');
	}

	if (!statSync(root).isDirectory()) {
		throw new UsageError(`workspace ${root} is not a directory`, 'pass --workspace DIR: the bot\'s directory, not a file in it');
	}
}

/** A workspace whose settings may be broken: the paths, and the settings or their error. */
export type LenientWorkspace = {paths: WorkspacePaths; settings?: LoadedSettings; settingsError?: unknown};

/**
 * Paths only, for commands that must work while settings.json is broken (check, bundle, reset,
 * monitor): the database path from settings when they load, else the PigPig default.
 */
export function workspacePathsLenient(root: string): LenientWorkspace {
	requireWorkspaceDirectory(root);
	const base = workspacePaths(root);
	try {
		const settings = loadSettings(base.settings);
		return {paths: workspacePaths(root, settings.settings.memory_system.database_path), settings};
	} catch (error) {
		return {paths: base, settingsError: error};
	}
}

/**
 * Paths for rollback: the database path comes from settings.json.backup when there is one,
 * because settings.json itself may be what went wrong (or was already switched by cut-over).
 */
export function rollbackWorkspacePaths(root: string): WorkspacePaths {
	const base = workspacePaths(root);
	const settingsFile = existsSync(base.settingsBackup) ? base.settingsBackup : base.settings;
	return workspacePaths(root, loadSettings(settingsFile).settings.memory_system.database_path);
}

/** The workspace at `root`; throws the settings' own one-line error when they are broken. */
export function openWorkspace(root: string): Workspace {
	requireWorkspaceDirectory(root);
	const settings = loadSettings(workspacePaths(root).settings);
	const memory = settings.settings.memory_system;
	const paths = workspacePaths(root, memory.database_path);
	return {
		root: paths.root,
		paths,
		settings,
		memory,
		openDatabase: (options?: OpenOptions) => openMemoryDatabase(paths.database, options),
	};
}
