/** A timestamped backup taken before `verify --fix` or `reset` change anything. */
import {cpSync, existsSync} from 'node:fs';
import {openMemoryDatabase} from '../db/connection.js';
import {formatFileStamp} from '../log/format.js';
import type {WorkspacePaths} from '../workspace.js';

export async function backupBeforeRepair(paths: WorkspacePaths, label: string, now = new Date()): Promise<string[]> {
	const stamp = `${label}-${formatFileStamp(now)}`;
	const made: string[] = [];
	const db = openMemoryDatabase(paths.database, {queryOnly: true});
	try {
		const target = `${paths.database}.${stamp}.backup`;
		await db.backup(target);
		made.push(target);
	} finally {
		db.close();
	}

	if (existsSync(paths.indices)) {
		const target = `${paths.indices}.${stamp}.backup`;
		cpSync(paths.indices, target, {recursive: true});
		made.push(target);
	}

	return made;
}
