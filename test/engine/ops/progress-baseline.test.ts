import assert from 'node:assert/strict';
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {readProgressBaseline} from '../../../source/engine/ops/progress-baseline.js';
import {openWorkspace} from '../../../source/engine/workspace.js';
import {demoWorkspace, targetMessageIds} from '../../helpers/workspace.js';
import {premigrate} from '../../ui/premigrated.js';

describe('progress baseline (the bar before any run record)', () => {
	it('is nothing to count without a database, or without the bot\'s tables; a broken file is refused with its reason', async () => {
		const paths = await demoWorkspace();
		rmSync(paths.database);
		assert.equal(await readProgressBaseline(openWorkspace(paths.root)), undefined);
		writeFileSync(paths.database, '');
		await assert.rejects(readProgressBaseline(openWorkspace(paths.root)), /the file is empty \(0 bytes\), not a SQLite database/);
		const other = await demoWorkspace();
		rmSync(other.database);
		const bare = new Database(other.database);
		bare.exec('CREATE TABLE unrelated (x)');
		bare.close();
		assert.equal(await readProgressBaseline(openWorkspace(other.root)), undefined);
	});

	it('counts messages that already have a vector of the target model as done, and writes nothing', async () => {
		const paths = await demoWorkspace();
		const total = targetMessageIds(paths.database).length;
		assert.deepEqual(await readProgressBaseline(openWorkspace(paths.root)), {done: 0, total});
		premigrate(paths.database, 120, 48);
		const before = readFileSync(paths.database);
		assert.deepEqual(await readProgressBaseline(openWorkspace(paths.root)), {done: 120, total});
		assert.ok(readFileSync(paths.database).equals(before), 'the database file is unchanged');
		assert.equal(existsSync(`${paths.database}-wal`), false, 'no WAL file left behind');
		const db = new Database(paths.database, {readonly: true});
		assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name LIKE 'qwen3_migrate_%'").get() as {n: number}).n, 0, 'no run tables created');
		db.close();
	});

	it('counts only rows of the configured output dimension when settings fix one', async () => {
		const paths = await demoWorkspace();
		premigrate(paths.database, 50, 48);
		const settings = JSON.parse(readFileSync(paths.settings, 'utf8')) as {memory_system: {migration: Record<string, unknown>}};
		settings.memory_system.migration.output_dimension = 32;
		writeFileSync(paths.settings, JSON.stringify(settings, undefined, 2));
		assert.equal((await readProgressBaseline(openWorkspace(paths.root)))?.done, 0, '48-d rows are not 32-d vectors');
	});
});
