import assert from 'node:assert/strict';
import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {estimateDisk} from '../../../source/engine/migration/preflight-checks.js';
import {demoWorkspace, targetMessageIds} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

/** Bytes of every file under a directory (what the migration adds shows up here). */
function treeBytes(directory: string): number {
	return readdirSync(directory, {recursive: true, withFileTypes: true})
		.filter(entry => entry.isFile())
		.reduce((sum, entry) => {
			try {
				return sum + statSync(path.join(entry.parentPath, entry.name)).size;
			} catch {
				return sum;
			}
		}, 0);
}

describe('the disk estimate', () => {
	it('covers the peak growth of a whole run: backups, new rows, WAL growth and staged indexes', {timeout: 240_000}, async () => {
		const paths = await demoWorkspace({messages: 3000, channels: 4, targetDimension: 256});
		const total = targetMessageIds(paths.database).length;
		const estimate = estimateDisk(paths, total, total, 256, false);
		const initial = treeBytes(paths.root);
		let peak = initial;
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 32, faults: new FaultInjector([])});
		const sample = () => {
			peak = Math.max(peak, treeBytes(paths.root));
		};

		migration.events.on('batch:commit:done', sample);
		migration.events.on('run:phase:enter', sample);
		const timer = setInterval(sample, 20);
		try {
			const outcome = await migration.run();
			assert.equal(outcome.status, 'done');
		} finally {
			clearInterval(timer);
		}

		const growth = peak - initial;
		assert.ok(growth <= estimate.neededBytes, `peak growth ${growth} bytes > estimate ${estimate.neededBytes} (${JSON.stringify(estimate)})`);
		assert.ok(estimate.neededBytes <= growth * 3, `estimate ${estimate.neededBytes} is not absurdly above the peak ${growth} (it would refuse runs that fit)`);
		assert.ok(estimate.walBytes > 0, 'WAL growth is part of the estimate');
	});
});
