/**
 * Backup: creates (or reopens) the run's record, then makes the guide's backups — settings.json,
 * an online-backup snapshot of memory.db, the indices directory — verifies them and registers them
 * with the run. A strategy's sample vectors are written here, in one transaction with the record.
 */
import {existsSync, statSync} from 'node:fs';
import type Database from 'better-sqlite3';
import {logText} from '../../log/messages.js';
import {
	countFailures,
	latestRun,
	markResumed,
	recordVerifiedBackup,
	reopenForRetry,
	startRun,
	clearFailures,
	type RunRecord,
} from '../../run-store/index.js';
import {commitSample, type PreparedStrategy} from '../../strategies/prepare.js';
import type {ProfileName, StrategyName} from '../../types.js';
import type {WorkspacePaths} from '../../workspace.js';
import {directorySize, makeBackups} from '../backup.js';
import {diskFullFrom, remainingWriteBytes} from '../disk-full.js';
import {rowsSinceLiveCatchUp} from '../interrupted.js';
import type {RunContext} from '../context.js';
import type {PhaseStep} from './phase.js';

export type BackupInput = {
	previous: RunRecord | undefined;
	sourceModel: string;
	strategy: StrategyName;
	/** The profile settings.json gets at cut-over. */
	profile: ProfileName;
	prepared: PreparedStrategy;
	backupsReusable: boolean;
	/** Older backup sets to keep (default 2). */
	keepBackups: number | undefined;
	/** A finished run reopened for its failed messages (else only for messages written after its cut-over). */
	retryFailed?: boolean;
};

/** The run record as the later phases resume from it. */
export type BackupOutput = {run: RunRecord};

/** The bot's schema has this index; a database without it would make every lookup a scan. */
function ensureMessageIdIndex(db: Database.Database, log: (message: string) => void): void {
	const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'idx_embeddings_message_id'").get();
	if (!exists) {
		db.exec('CREATE INDEX idx_embeddings_message_id ON embeddings(message_id)');
		log(logText.messageIdIndexCreated());
	}
}

function openRunRecord(context: RunContext, input: BackupInput): void {
	const {db, runId, target, counters} = context;
	const {previous} = input;
	if (!previous) {
		startRun(db, {
			run_id: runId,
			source_model: input.sourceModel,
			target_model: target.model,
			target_dimension: target.dimension,
			strategy: input.strategy,
			profile: input.profile,
			target_total: counters.total,
			target_done: counters.done,
		});
	} else if (previous.status === 'done') {
		// A finished run reopened goes through catch-up, index, verify and cut-over again: with
		// --retry-failed its failed messages go back into the target set; without, it embeds the
		// messages the old bot wrote after the switch.
		reopenForRetry(db, runId);
		const behind = rowsSinceLiveCatchUp(db, previous);
		if (behind > 0) {
			context.log('WARNING', logText.liveIndexesBehind(behind));
		}

		if (input.retryFailed) {
			context.log('INFO', logText.retryingFailed(clearFailures(db, runId)));
		} else {
			context.log('INFO', logText.catchingUpLate(counters.total - counters.done - countFailures(db, runId)));
		}
	} else {
		markResumed(db, runId);
		context.log('INFO', logText.resumingFromCheckpoint(previous.phase, previous.cursor_rowid));
	}
}

/** What a backup set takes: settings.json, the database (its WAL folded in) and the indexes. */
function backupBytes(paths: WorkspacePaths): number {
	const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
	return size(paths.settings) + size(paths.database) + size(`${paths.database}-wal`) + directorySize(paths.indices);
}

async function backUp(context: RunContext, keepBackups: number | undefined): Promise<void> {
	const {db, paths} = context;
	let backup: Awaited<ReturnType<typeof makeBackups>>;
	try {
		backup = await makeBackups(db, paths, {keepOlder: keepBackups, beforeWrite: () => context.faults.beforeBackupWrite()});
	} catch (error) {
		// The backups need about the database and the indexes again, on top of what the run writes after them.
		throw diskFullFrom(error, paths.databaseBackup, backupBytes(paths) + remainingWriteBytes(context)) ?? error;
	}

	recordVerifiedBackup(db, context.runId, backup.settingsSha256);
	for (const moved of backup.movedAside) {
		context.log('WARNING', logText.backupMovedAside(moved));
	}

	for (const removed of backup.removed) {
		context.log('INFO', logText.olderBackupRemoved(removed));
	}

	context.log('INFO', logText.backupDone(paths.settingsBackup, paths.databaseBackup, paths.indicesBackup));
}

export const backupPhase: PhaseStep<BackupInput, BackupOutput> = {
	phase: 'backup',
	resumes: 'backups this run already verified (hash of settings.json recorded) are reused; otherwise they are made again',
	async run(context, input) {
		openRunRecord(context, input);
		if (input.backupsReusable) {
			context.log('INFO', logText.reusingVerifiedBackups());
		} else {
			await backUp(context, input.keepBackups);
		}

		ensureMessageIdIndex(context.db, message => context.log('INFO', message));
		if (input.prepared.sample) {
			const written = commitSample(context.db, context.runId, context.target, input.prepared);
			context.counters.done += written;
			context.log('INFO', logText.sampleWritten(written));
		}

		const run = latestRun(context.db)!;
		context.counters.failed = countFailures(context.db, context.runId);
		context.counters.truncated = run.truncated;
		return {run};
	},
};
