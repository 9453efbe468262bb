import assert from 'node:assert/strict';
import {readdirSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {RunWatcher} from '../../../source/engine/migration/watch.js';
import {demoWorkspace, targetMessageIds} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

describe('run watcher', () => {
	it('reads a run from outside: nothing before, then phase, status and counts, leaving no files behind', async () => {
		const paths = await demoWorkspace();
		const files = readdirSync(path.dirname(paths.database)).sort();
		const watcher = new RunWatcher(paths);
		assert.equal(watcher.snapshot().run, undefined);
		watcher.close();
		assert.deepEqual(readdirSync(path.dirname(paths.database)).sort(), files, 'a query-only connection leaves no -wal/-shm');
		const migration = new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])});
		const seen: number[] = [];
		migration.events.on('batch:commit:done', () => {
			seen.push(watcher.snapshot().run?.target_done ?? -1);
		});
		await migration.run();
		const final = watcher.snapshot();
		watcher.close();
		assert.equal(final.run?.status, 'done');
		assert.equal(final.run?.target_total, targetMessageIds(paths.database).length);
		assert.equal(final.run?.target_done, final.run?.target_total);
		assert.equal(final.holderPid, undefined, 'the lock is released');
		assert.ok(seen.length > 2 && seen.every((value, index) => index === 0 || value >= seen[index - 1]!), 'counts grow as batches commit');
	});
});
