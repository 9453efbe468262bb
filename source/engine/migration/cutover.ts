/**
 * Blue/green cut-over: the staged indexes replace the live ones by directory renames, then
 * settings.json switches to the new model. Each step is recorded first, so a kill at any point is
 * finished (never half-done) by the next `migrate`.
 */
import {readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {renameDurably} from '../util/atomic-write.js';
import {followLinks} from '../util/symlinks.js';
import type Database from 'better-sqlite3';
import {logText} from '../log/messages.js';
import {recordLiveCatchUp} from '../run-store/index.js';
import type {RunContext} from './context.js';
import {EmbedLoop} from './embed-loop.js';
import {runIndexJob} from './index-jobs.js';
import {killPoint} from '../util/kill-points.js';
import {swapDirectory} from '../util/directory-swap.js';
import {loadSettings} from '../settings/load.js';
import type {ProfileName} from '../settings/schema.js';
import {updateSettings} from '../settings/write.js';
import type {WorkspacePaths} from '../workspace.js';

/**
 * Puts the staging directory in place of the live one (through a symlinked indices/ to its
 * target). Safe to call again after a kill between the renames: the names on disk say how far it got.
 */
export function swapIndexDirectories(paths: WorkspacePaths): void {
	swapDirectory(paths.indices, paths.indicesStaging, {retired: 'cutover:indices-retired'});
	// An older release retired into indices.qwen3-retired beside the link; the originals are in indices.backup.
	rmSync(paths.indicesRetired, {recursive: true, force: true});
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

/** Catch-up rounds right before the swap; each is short, so the bot's writes in between are few. */
const finalCatchUpRounds = 6;

function newestEmbeddingId(db: Database.Database): number {
	return (db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM embeddings').get() as {id: number}).id;
}

/** The newest message's rowid: messages after it were written after this instant. */
export function newestMessageRowid(db: Database.Database): number {
	return (db.prepare('SELECT COALESCE(MAX(rowid), 0) AS id FROM messages').get() as {id: number}).id;
}

function channelsWithRowsAfter(db: Database.Database, id: number, model: string): {channels: string[]; rows: number} {
	const rows = db.prepare('SELECT channel_id AS channel, COUNT(*) AS n FROM embeddings WHERE id > ? AND model_version = ? GROUP BY channel_id').all(id, model) as Array<{channel: string; n: number}>;
	return {channels: rows.map(row => row.channel), rows: rows.reduce((sum, row) => sum + row.n, 0)};
}

/**
 * Embeds what the bot wrote since `from` in short rounds until one finds nothing: embedding a few
 * messages takes milliseconds, so the rounds converge. The first round (from 0) rescans the whole
 * target set for anything a verify round left behind.
 */
async function embedUntilQuiet(context: RunContext): Promise<'aborted' | undefined> {
	let from = 0;
	for (let round = 0; round < finalCatchUpRounds; round++) {
		const before = newestEmbeddingId(context.db);
		const next = newestMessageRowid(context.db);
		if ((await new EmbedLoop(context, context.reuse).run(from)) === 'aborted') {
			return 'aborted';
		}

		from = next;
		if (newestEmbeddingId(context.db) === before) {
			return undefined;
		}
	}

	return undefined;
}

/**
 * Before the swap: the bot's writes during index and verify are embedded and their channels'
 * staged indexes rebuilt. Returns how many it embedded.
 */
export async function catchUpStagedIndexes(context: RunContext): Promise<number | 'aborted'> {
	const {db, paths, target} = context;
	const before = newestEmbeddingId(db);
	if ((await embedUntilQuiet(context)) === 'aborted') {
		return 'aborted';
	}

	const {channels, rows} = channelsWithRowsAfter(db, before, target.model);
	if (rows > 0) {
		await runIndexJob({task: 'build', databasePath: paths.database, stagingDir: paths.indicesStaging, model: target.model, dimension: target.dimension, channels, samplePerChannel: 0}, () => undefined);
		context.log('INFO', logText.finalCatchUp(rows, channels.length));
	}

	killPoint('cutover:caught-up');
	return rows;
}

/**
 * Right after the switch: what the bot wrote while the staged channels were rebuilt is embedded
 * and those live channels rebuilt beside the live directory, each file renamed into place (the
 * layout stays PigPig's). What arrives after this is counted and left to the next run. A stop
 * still indexes what was embedded: the next run only looks for messages without a new vector.
 */
export async function catchUpLiveIndexes(context: RunContext): Promise<number | 'aborted'> {
	const {db, paths, target, runId} = context;
	// Recorded first: a kill or a full disk before the rows are in the live indexes leaves it set,
	// and the next `migrate` rebuilds them instead of finding nothing to do.
	const before = newestEmbeddingId(db);
	recordLiveCatchUp(db, runId, before);
	const live = followLinks(paths.indices);
	const built = `${live}.qwen3-append`;
	// What a killed catch-up had half written is of no use (its rows are rebuilt from the database).
	rmSync(built, {recursive: true, force: true});
	const embedded = await new EmbedLoop(context, context.reuse).run(0);
	killPoint('cutover:live-embedded');
	const {channels, rows} = channelsWithRowsAfter(db, before, target.model);
	if (rows > 0) {
		try {
			await runIndexJob({task: 'build', databasePath: paths.database, stagingDir: built, model: target.model, dimension: target.dimension, channels, samplePerChannel: 0}, () => undefined);
			for (const name of readdirSync(built)) {
				renameDurably(path.join(built, name), path.join(live, name));
			}
		} finally {
			// Also after a full disk: the half-written files would only take more of it.
			rmSync(built, {recursive: true, force: true});
		}

		context.log('INFO', logText.finalCatchUp(rows, channels.length));
	}

	recordLiveCatchUp(db, runId, undefined);
	return embedded === 'aborted' ? 'aborted' : rows;
}
