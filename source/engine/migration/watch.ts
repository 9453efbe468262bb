/**
 * What a migration running in another process looks like from outside: its run record (phase,
 * status, counts), its failures and whether its process still holds the lock. The read-only
 * dashboard and `monitor` poll this.
 */
import type Database from 'better-sqlite3';
import {openMemoryDatabase} from '../db/connection.js';
import type {WorkspacePaths} from '../workspace.js';
import {lockHolder} from './lock.js';
import {countFailures, latestRun, type RunRecord} from '../run-store/index.js';

export type RunSnapshot = {run: RunRecord | undefined; failed: number; holderPid: number | undefined};

export class RunWatcher {
	private db: Database.Database | undefined;

	constructor(private readonly paths: WorkspacePaths) {}

	snapshot(): RunSnapshot {
		try {
			this.db ??= openMemoryDatabase(this.paths.database, {queryOnly: true});
			const run = latestRun(this.db);
			return {run, failed: run ? countFailures(this.db, run.run_id) : 0, holderPid: lockHolder(this.paths.lock)?.pid};
		} catch {
			// A database that cannot be read yet (being created, locked for a moment) shows as nothing.
			return {run: undefined, failed: 0, holderPid: lockHolder(this.paths.lock)?.pid};
		}
	}

	close(): void {
		this.db?.close();
		this.db = undefined;
	}
}
