/**
 * `reset`: the guide's system reset, made safe. It removes the migration's state (bookkeeping
 * tables, staged indexes, lock), the new model's rows, optionally the model cache, and puts the
 * example settings' memory_system in place (the rest of settings.json is kept; the previous file
 * is saved beside it). It never deletes messages or old-model vectors, and refuses while a
 * migration runs.
 */
import {cpSync, existsSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {openMemoryDatabase} from '../db/connection.js';
import {exampleSettings} from '../settings/example.js';
import {AppError} from '../errors.js';
import {formatFileStamp} from '../log/format.js';
import {lockHolder} from '../migration/lock.js';
import {dropStateTables, latestRun} from '../run-store/index.js';
import {loadSettings} from '../settings/load.js';
import {parseJsonLossless} from '../settings/json-lossless.js';
import {serializeSettings} from '../settings/write.js';
import {writeFileAtomic} from '../util/atomic-write.js';
import type {LenientWorkspace, WorkspacePaths} from '../workspace.js';
import {backupBeforeRepair} from './repair-backup.js';

/** What reset did: rows removed, paths removed or replaced, where the old settings went, backups. */
export type ResetResult = {removedRows: number; removed: string[]; settingsSavedAs: string | undefined; backups: string[]};

/** The example's memory_system: the workspace's own settings_qwen3_example.json, else the built-in one. */
function exampleMemorySystem(paths: WorkspacePaths): unknown {
	if (existsSync(paths.settingsExample)) {
		const parsed = parseJsonLossless(readText(paths.settingsExample));
		if (parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && 'memory_system' in parsed.value) {
			return (parsed.value as Record<string, unknown>).memory_system;
		}
	}

	return (exampleSettings() as {memory_system: unknown}).memory_system;
}

function readText(file: string): string {
	return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
}

/** The current settings as raw JSON, or {} when the file is missing or broken (reset repairs it). */
function currentRawSettings(file: string): Record<string, unknown> {
	if (!existsSync(file)) {
		return {};
	}

	const parsed = parseJsonLossless(readText(file));
	return parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value) ? (parsed.value as Record<string, unknown>) : {};
}

/** Works with broken settings (they are what reset repairs): the defaults locate the database then. */
export async function resetWorkspace(workspace: LenientWorkspace, options: {models?: boolean} = {}): Promise<ResetResult> {
	const {paths} = workspace;
	const root = paths.root;
	const migration = workspace.settings?.settings.memory_system.migration;
	const targetModel = migration?.target_model ?? 'Qwen/Qwen3-Embedding-0.6B';
	const cacheDir = migration?.model_cache_dir ?? 'data/memory/models';
	const holder = lockHolder(paths.lock);
	if (holder) {
		throw new AppError('migration-locked', `a ${holder.command} is running on this workspace (pid ${holder.pid})`, {hint: 'stop it first (q in its dashboard, or Ctrl+C), then reset', exitCode: 1});
	}

	const backups = existsSync(paths.database) ? await backupBeforeRepair(paths, 'reset') : [];
	let removedRows = 0;
	let cutOver = false;
	if (existsSync(paths.database)) {
		const db = openMemoryDatabase(paths.database);
		try {
			const run = latestRun(db);
			cutOver = Boolean(run?.cutover_at);
			const model = run?.target_model ?? targetModel;
			const source = run?.source_model;
			removedRows = db.transaction(() => {
				const changes = model === source ? 0 : db.prepare('DELETE FROM embeddings WHERE model_version = ? AND id > ?').run(model, run?.embedding_watermark ?? 0).changes;
				dropStateTables(db);
				return changes;
			})();
		} finally {
			db.close();
		}
	}

	const removed: string[] = [];
	const memoryDir = path.dirname(paths.database);
	const leftovers = existsSync(memoryDir) ? readdirSync(memoryDir).filter(name => /^indices\.qwen3-/.test(name)).map(name => path.join(memoryDir, name)) : [];
	for (const target of [paths.indicesStaging, paths.indicesRetired, paths.state, ...leftovers, ...(options.models ? [path.resolve(root, cacheDir)] : [])]) {
		if (existsSync(target)) {
			rmSync(target, {recursive: true, force: true});
			removed.push(target);
		}
	}

	// After a cut-over the live indexes are the new model's; the old ones (which match the vectors
	// that remain) come back from the migration's backup.
	if (cutOver && existsSync(paths.indicesBackup)) {
		rmSync(paths.indices, {recursive: true, force: true});
		cpSync(paths.indicesBackup, paths.indices, {recursive: true});
		removed.push(`${paths.indices} (replaced by ${paths.indicesBackup})`);
	}

	let settingsSavedAs: string | undefined;
	if (existsSync(paths.settings)) {
		settingsSavedAs = `${paths.settings}.reset-${formatFileStamp(new Date())}.backup`;
		cpSync(paths.settings, settingsSavedAs);
	}

	const raw = {...currentRawSettings(paths.settings), memory_system: exampleMemorySystem(paths)};
	writeFileAtomic(paths.settings, serializeSettings(raw));
	loadSettings(paths.settings);
	return {removedRows, removed, settingsSavedAs, backups};
}
