import assert from 'node:assert/strict';
import {cpSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {rollbackMigration} from '../../../source/engine/migration/rollback.js';
import {killPointVariable, killPoints} from '../../../source/engine/util/kill-points.js';
import {openWorkspace, rollbackWorkspacePaths, workspacePaths, type WorkspacePaths} from '../../../source/engine/workspace.js';
import {runCli} from '../../helpers/cli.js';
import {makeTempDir} from '../../helpers/temp.js';
import {demoWorkspace, targetRows} from '../../helpers/workspace.js';

function copyWorkspace(paths: WorkspacePaths): WorkspacePaths {
	const copy = path.join(makeTempDir('qwen3-rollback-counts-'), 'ws');
	cpSync(paths.root, copy, {recursive: true});
	return workspacePaths(copy);
}

describe('a resumed rollback reports what the whole rollback did', () => {
	it('killed -9 at each step, the rerun reports the true number of removed rows (journaled), not 0', async () => {
		const migrated = await demoWorkspace();
		assert.equal((await new Migration({workspace: openWorkspace(migrated.root), faults: new FaultInjector([])}).run()).status, 'done');
		const newRows = targetRows(migrated.database).length;
		assert.ok(newRows > 0);
		const reference = await rollbackMigration(rollbackWorkspacePaths(copyWorkspace(migrated).root));
		assert.equal(reference.removedRows, newRows, 'an uninterrupted rollback counts every new row');
		for (const point of killPoints.filter(name => name.startsWith('rollback:'))) {
			const paths = copyWorkspace(migrated);
			const killed = runCli(['rollback', '--workspace', paths.root, '--yes'], {env: {[killPointVariable]: point, QWEN3_MIGRATE_FAULTS: ''}});
			assert.equal(killed.status, null, `${point}: killed (${killed.stderr})`);
			const rerun = runCli(['rollback', '--workspace', paths.root, '--yes']);
			assert.equal(rerun.status, 0, `${point}: ${rerun.stderr}`);
			assert.match(rerun.stdout, new RegExp(`removed ${newRows} new-model vectors from memory\\.db`), `${point}: ${rerun.stdout}`);
			assert.equal(targetRows(paths.database).length, 0, point);
		}
	});
});
