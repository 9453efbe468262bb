/**
 * Blue/green cut-over: the staged indexes replace the live ones by directory renames, then
 * settings.json switches to the new model. Each step is recorded first, so a kill at any point is
 * finished (never half-done) by the next `migrate`.
 */
import {existsSync, renameSync, rmSync} from 'node:fs';
import {rm} from 'node:fs/promises';
import {fsyncDirectory} from '../util/atomic-write.js';
import path from 'node:path';
import {loadSettings} from '../settings/load.js';
import type {ProfileName} from '../settings/schema.js';
import {updateSettings} from '../settings/write.js';
import type {WorkspacePaths} from '../workspace.js';

/**
 * Puts the staging directory in place of the live one. Safe to call again after a crash between
 * the two renames: the state on disk says how far it got.
 */
export async function swapIndexDirectories(paths: WorkspacePaths): Promise<void> {
	if (!existsSync(paths.indicesStaging)) {
		// Nothing staged: either the swap already happened, or there is nothing to swap.
		return;
	}

	if (existsSync(paths.indices)) {
		rmSync(paths.indicesRetired, {recursive: true, force: true});
		renameSync(paths.indices, paths.indicesRetired);
	}

	renameSync(paths.indicesStaging, paths.indices);
	fsyncDirectory(path.dirname(paths.indices));
	// The originals are kept in indices.backup; the retired copy is not needed.
	await rm(paths.indicesRetired, {recursive: true, force: true});
}

/** Switches the bot to the new model: embedding_model, a Qwen3 profile, and the real dimension. */
export function switchSettingsToTarget(settingsFile: string, target: {model: string; dimension: number; profile: ProfileName}): void {
	const {raw} = loadSettings(settingsFile);
	const memorySystem = (raw.memory_system ?? {}) as Record<string, unknown>;
	const patch: Record<string, unknown> = {embedding_model: target.model, profile: target.profile};
	if ('embedding_dimension' in memorySystem) {
		patch.embedding_dimension = target.dimension;
	}

	updateSettings(settingsFile, {memory_system: patch});
}

/** The Qwen3 profile matching the bot's current one, unless the user named one. */
export function targetProfile(current: ProfileName, requested?: ProfileName): ProfileName {
	if (requested) {
		return requested;
	}

	return current === 'high_performance' || current === 'qwen3_high_performance' ? 'qwen3_high_performance' : 'qwen3_medium_performance';
}
