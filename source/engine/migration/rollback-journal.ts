/**
 * Rollback's journal: a small file in the workspace's state directory, written (atomically) before
 * rollback changes anything and removed after its last step. It holds everything rollback needs
 * from the run record, because the database steps drop that record (or, with --from-backup,
 * replace it with the backup's copy): while the file exists, a rollback is under way.
 */
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {AppError} from '../errors.js';
import type {RunRecord} from '../run-store/index.js';
import {writeFileAtomic} from '../util/atomic-write.js';
import type {WorkspacePaths} from '../workspace.js';

export type RollbackJournal = {
	runId: string;
	targetModel: string;
	embeddingWatermark: number;
	settingsSha256: string | null;
	fromBackup: boolean;
	afterCutover: boolean;
	startedAt: string;
	/** Rows the database step removed, written in its transaction (absent until it ran). */
	removedRows?: number;
};

export function rollbackJournalFile(paths: WorkspacePaths): string {
	return path.join(paths.state, 'rollback.json');
}

/** The journal of an interrupted rollback, if one is on disk. */
export function readRollbackJournal(paths: WorkspacePaths): RollbackJournal | undefined {
	const file = rollbackJournalFile(paths);
	if (!existsSync(file)) {
		return undefined;
	}

	try {
		return JSON.parse(readFileSync(file, 'utf8')) as RollbackJournal;
	} catch (error) {
		// Written by rename, so never half a file; unreadable means someone edited it.
		throw new AppError('migration-state', `${file} is unreadable: ${(error as Error).message}`, {
			hint: 'restore settings.json, memory.db and indices/ from their .backup copies by hand, then delete that file',
			cause: error,
		});
	}
}

export function journalFor(run: RunRecord, fromBackup: boolean): RollbackJournal {
	return {
		runId: run.run_id,
		targetModel: run.target_model,
		embeddingWatermark: run.embedding_watermark,
		settingsSha256: run.settings_sha256,
		fromBackup,
		afterCutover: run.cutover_started_at != null || run.cutover_at !== null,
		startedAt: new Date().toISOString(),
	};
}

export function writeRollbackJournal(paths: WorkspacePaths, journal: RollbackJournal): void {
	mkdirSync(paths.state, {recursive: true});
	writeFileAtomic(rollbackJournalFile(paths), `${JSON.stringify(journal, undefined, 2)}\n`);
}
