/** Opens a workspace for the operations commands, turning every kind of bad input into one line. */
import {existsSync, statSync} from 'node:fs';
import {UsageError} from '../errors.js';
import {loadSettings, type LoadedSettings} from '../settings/load.js';
import {workspacePaths, type WorkspacePaths} from '../workspace.js';

export function requireWorkspaceDirectory(root: string): void {
	if (!existsSync(root)) {
		throw new UsageError(`workspace ${root} does not exist`, 'pass --workspace DIR: the bot\'s directory, which holds settings.json and data/memory');
	}

	if (!statSync(root).isDirectory()) {
		throw new UsageError(`workspace ${root} is not a directory`, 'pass --workspace DIR: the bot\'s directory, not a file in it');
	}
}

/** Settings and paths; throws the settings' own one-line error when they are broken. */
export function openWorkspace(root: string): {settings: LoadedSettings; paths: WorkspacePaths} {
	requireWorkspaceDirectory(root);
	const settings = loadSettings(workspacePaths(root).settings);
	return {settings, paths: workspacePaths(root, settings.settings.memory_system.database_path)};
}
