import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {DiskFullError} from '../../source/engine/errors.js';
import {FaultInjector} from '../../source/engine/migration/faults.js';
import {Migration} from '../../source/engine/migration/migration.js';
import {demoWorkspace, storeAsOldBot, targetMessageIds, targetRows} from '../helpers/workspace.js';
import {openWorkspace, type WorkspacePaths} from '../../source/engine/workspace.js';
import {sha256File} from '../../source/engine/migration/backup.js';
import {checkIndexesWithPython} from '../helpers/python.js';
import {cutOverLineOfAFullRun} from '../helpers/runs.js';

const oldModel = 'sentence-transformers/paraphrase-multilingual-mpnet-base-v2';

function oldVectorCount(databaseFile: string): number {
	const db = new Database(databaseFile, {readonly: true});
	try {
		return (db.prepare('SELECT COUNT(*) AS n FROM embeddings WHERE model_version = ?').get(oldModel) as {n: number}).n;
	} finally {
		db.close();
	}
}

/** No message lost, no old vector lost, no duplicate (message_id, model_version). */
function assertInvariants(databaseFile: string, oldVectors: number): void {
	const rows = targetRows(databaseFile);
	assert.equal(new Set(rows.map(row => row.message_id)).size, rows.length, 'no duplicate new rows');
	assert.deepEqual(new Set(rows.map(row => row.message_id)), new Set(targetMessageIds(databaseFile)), 'every target message migrated');
	assert.equal(oldVectorCount(databaseFile), oldVectors, 'old vectors kept');
}

/** The bot's reader (python3: faiss.read_index + pickle.load) loads every index, and together they hold every target message once. */
function assertIndexesLoad(paths: WorkspacePaths): void {
	const channels = checkIndexesWithPython(paths.indices);
	assert.ok(channels.length > 0, 'indexes written');
	for (const channel of channels) {
		assert.deepEqual(channel.problems, [], `index ${channel.channel}`);
	}

	const ids = channels.flatMap(channel => channel.all_ids);
	assert.equal(new Set(ids).size, ids.length, 'no message in two positions');
	assert.deepEqual(new Set(ids), new Set(targetMessageIds(paths.database)), 'every target message is in its channel index');
}

async function expectDiskFull(run: Promise<unknown>): Promise<void> {
	await assert.rejects(run, (error: unknown) => {
		assert.ok(error instanceof DiskFullError, String(error));
		assert.match(error.message, /^disk full on \/\S*: need about \d+(\.\d)? [KMG]?B more$/);
		assert.equal(error.exitCode, 1);
		assert.match(error.hint ?? '', /free space on .*run `qwen3-migrate migrate` again: it resumes/);
		return true;
	});
}

describe('ENOSPC in each writer is a clean stop, and the run resumes once space is freed', () => {
	it('SQLite commit (enospc@commit)', {timeout: 240_000}, async () => {
		const paths = await demoWorkspace();
		const oldVectors = oldVectorCount(paths.database);
		await expectDiskFull(new Migration({workspace: openWorkspace(paths.root), batchSize: 16, faults: FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: 'enospc@commit=4'})}).run());
		const partial = targetRows(paths.database).length;
		assert.ok(partial > 0 && partial < targetMessageIds(paths.database).length, `committed before the fault: ${partial}`);
		const resumed = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(resumed.status, 'done');
		assert.equal(resumed.status === 'done' && resumed.failed, 0, 'no message written off as failed because of the disk');
		assertInvariants(paths.database, oldVectors);
		assertIndexesLoad(paths);
	});

	it('FAISS index write (enospc@index, in the index worker)', {timeout: 240_000}, async () => {
		const paths = await demoWorkspace();
		const oldVectors = oldVectorCount(paths.database);
		process.env.QWEN3_MIGRATE_FAULTS = 'enospc@index=2';
		try {
			await expectDiskFull(new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run());
		} finally {
			delete process.env.QWEN3_MIGRATE_FAULTS;
		}

		const resumed = await new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run();
		assert.equal(resumed.status, 'done');
		assertInvariants(paths.database, oldVectors);
		assertIndexesLoad(paths);
	});

	it('backup writer (enospc@backup=2: the database snapshot): partial backups removed, settings untouched, the resume completes', {timeout: 240_000}, async () => {
		const paths = await demoWorkspace();
		const oldVectors = oldVectorCount(paths.database);
		const settingsBefore = sha256File(paths.settings);
		await expectDiskFull(new Migration({workspace: openWorkspace(paths.root), env: {}, faults: FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: 'enospc@backup=2'})}).run());
		assert.equal(sha256File(paths.settings), settingsBefore, 'settings.json untouched');
		assert.equal(targetRows(paths.database).length, 0, 'nothing embedded before the backups exist');
		const memoryDir = path.dirname(paths.database);
		const leftovers = [...readdirSync(paths.root), ...readdirSync(memoryDir)].filter(name => name.includes('.backup'));
		assert.deepEqual(leftovers, [], 'a half-written backup set is removed (it would be moved aside and kept forever, on a full disk)');
		const resumed = await new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run();
		assert.equal(resumed.status, 'done');
		assert.ok(existsSync(paths.databaseBackup) && existsSync(paths.settingsBackup) && existsSync(paths.indicesBackup), 'the resume made the backups');
		assert.deepEqual([...readdirSync(memoryDir)].filter(name => /\.backup\.\d/.test(name)), [], 'no stale generation moved aside');
		assertInvariants(paths.database, oldVectors);
		assertIndexesLoad(paths);
	});

	it('log writer (enospc@log): the run stops cleanly at its next safe point, exit 1, the resume completes', {timeout: 240_000}, async () => {
		const paths = await demoWorkspace();
		const oldVectors = oldVectorCount(paths.database);
		const settingsBefore = sha256File(paths.settings);
		// The 8th line is written in the embed phase (after the start, dimension, total, strategy, backup lines).
		await expectDiskFull(
			new Migration({workspace: openWorkspace(paths.root), env: {}, batchSize: 16, faults: FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: 'enospc@log=8'})}).run(),
		);
		assert.equal(sha256File(paths.settings), settingsBefore, 'no cut-over after the log failed');
		const logs = readdirSync(paths.logs);
		assert.equal(logs.length, 1);
		assert.equal(readFileSync(path.join(paths.logs, logs[0]!), 'utf8').trim().split('\n').length, 7, 'lines before the failed write are kept; none after it');
		const resumed = await new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run();
		assert.equal(resumed.status, 'done');
		assertInvariants(paths.database, oldVectors);
		assertIndexesLoad(paths);
	});

	it('log writer full after the cut-over: the migration is complete, the outcome says the log lacks its end, nothing is left to resume', {timeout: 240_000}, async () => {
		const cutOverLine = await cutOverLineOfAFullRun();
		const paths = await demoWorkspace();
		const oldVectors = oldVectorCount(paths.database);
		const settingsBefore = sha256File(paths.settings);
		const outcome = await new Migration({workspace: openWorkspace(paths.root), env: {}, batchSize: 16, faults: FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: `enospc@log=${cutOverLine}`})}).run();
		assert.equal(outcome.status, 'done');
		assert.match(outcome.status === 'done' ? (outcome.logIncomplete ?? '') : '', /^the run log could not be written after the cut-over \(disk full on \/\S*: need about [\d.]+ [KMG]?B more\); the migration is complete and nothing needs resuming: free space on \/\S*$/);
		assert.notEqual(sha256File(paths.settings), settingsBefore, 'the cut-over happened');
		assertInvariants(paths.database, oldVectors);
		assertIndexesLoad(paths);
		const rerun = await new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run();
		assert.equal(rerun.status, 'noop');
	});

	it('log writer full after the cut-over with messages stored after the switch: the outcome does not say nothing needs resuming, and the rerun embeds them', {timeout: 240_000}, async () => {
		const cutOverLine = await cutOverLineOfAFullRun();
		const paths = await demoWorkspace();
		const migration = new Migration({workspace: openWorkspace(paths.root), env: {}, batchSize: 16, faults: FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: `enospc@log=${cutOverLine}`})});
		let late: Array<{id: string; channel: string}> = [];
		migration.events.on('log:line', ({message}) => {
			if (message.startsWith('切換完成')) {
				late = storeAsOldBot(paths.database, 'late', 4);
			}
		});
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.equal(outcome.status === 'done' ? outcome.late : -1, late.length, 'the log failure stopped the live catch-up');
		const notice = outcome.status === 'done' ? (outcome.logIncomplete ?? '') : '';
		assert.doesNotMatch(notice, /nothing needs resuming/);
		assert.match(notice, /^the run log could not be written after the cut-over \(disk full on \/\S*: need about [\d.]+ [KMG]?B more\); the switch is done and recorded: free space on \/\S*, then run `qwen3-migrate migrate` again to embed the 4 messages stored after the switch$/);
		const rerun = await new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run();
		assert.equal(rerun.status, 'done');
		assert.equal(rerun.status === 'done' ? rerun.late : -1, 0);
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.ok(late.every(({id}) => migrated.has(id)));
		assertIndexesLoad(paths);
	});

	it('FAISS write full in the live catch-up right after the switch: the rerun puts the messages it embedded into the live indexes', {timeout: 240_000}, async () => {
		const paths = await demoWorkspace();
		const migration = new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])});
		let caught: Array<{id: string; channel: string}> = [];
		migration.events.on('log:line', ({message}) => {
			if (message.startsWith('切換完成')) {
				caught = storeAsOldBot(paths.database, 'caught', 3);
				// Read by the index worker the live catch-up starts next (the staged builds are done).
				process.env.QWEN3_MIGRATE_FAULTS = 'enospc@index=1';
			}
		});
		try {
			await expectDiskFull(migration.run());
		} finally {
			delete process.env.QWEN3_MIGRATE_FAULTS;
		}

		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.ok(caught.length === 3 && caught.every(({id}) => migrated.has(id)), 'the catch-up embedded them before the write failed');
		assert.deepEqual(readdirSync(path.dirname(paths.indices)).filter(name => name.includes('.qwen3-append')), [], 'no half-written index files left on the full disk');
		const rerun = await new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run();
		assert.equal(rerun.status, 'done', 'the rerun is not "nothing to do": the live indexes lack rows');
		const byChannel = new Map(checkIndexesWithPython(paths.indices).map(channel => [channel.channel, new Set(channel.all_ids)]));
		for (const {id, channel} of caught) {
			assert.ok(byChannel.get(channel)?.has(id), `${id} is in the live index of channel ${channel}`);
		}

		const again = await new Migration({workspace: openWorkspace(paths.root), env: {}, faults: new FaultInjector([])}).run();
		assert.equal(again.status, 'noop', 'and then there is nothing left to do');
	});
});
