import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, symlinkSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {rollbackMigration} from '../../../source/engine/migration/rollback.js';
import {killPointVariable, killPoints} from '../../../source/engine/util/kill-points.js';
import {rollbackWorkspacePaths, workspacePaths, type WorkspacePaths} from '../../../source/engine/workspace.js';
import {runCli} from '../../helpers/cli.js';
import {checkIndexesWithPython} from '../../helpers/python.js';
import {makeTempDir} from '../../helpers/temp.js';
import {demoWorkspace, integrityCheck, targetMessageIds, targetRows} from '../../helpers/workspace.js';
import {workspaceState} from '../../faults/workspace-state.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

const noFaults = new FaultInjector([]);

function copyWorkspace(paths: WorkspacePaths): WorkspacePaths {
	const copy = path.join(makeTempDir('qwen3-crash-'), 'ws');
	cpSync(paths.root, copy, {recursive: true});
	return workspacePaths(copy);
}

function killedAt(point: string, arguments_: string[]) {
	const result = runCli(arguments_, {env: {[killPointVariable]: point, QWEN3_MIGRATE_FAULTS: ''}});
	return result;
}

describe('crash-safe rollback and cut-over', () => {
	it('a rollback killed -9 at each step ends, on rerun, exactly where an uninterrupted rollback ends', async () => {
		const original = await demoWorkspace();
		const before = workspaceState(original);
		const migrated = copyWorkspace(original);
		assert.equal((await new Migration({workspace: openWorkspace(migrated.root), faults: noFaults}).run()).status, 'done');
		const reference = copyWorkspace(migrated);
		await rollbackMigration(rollbackWorkspacePaths(reference.root));
		const expected = workspaceState(reference);
		assert.deepEqual({...expected, names: []}, {...before, names: []}, 'an uninterrupted rollback restores the original');
		for (const point of killPoints.filter(name => name.startsWith('rollback:'))) {
			const paths = copyWorkspace(migrated);
			const killed = killedAt(point, ['rollback', '--workspace', paths.root, '--yes']);
			assert.equal(killed.status, null, `${point}: killed (${killed.stderr})`);
			const check = runCli(['check', '--workspace', paths.root, '--json']);
			assert.match(check.stdout, /a rollback was interrupted/, `${point}: check says so`);
			const verify = runCli(['verify', '--workspace', paths.root]);
			assert.equal(verify.status, 2, `${point}: verify refuses: ${verify.stderr}`);
			assert.match(verify.stderr, /rollback was interrupted.*\n?.*rollback --yes/s, point);
			if (point === 'rollback:journaled') {
				const migrate = runCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes']);
				assert.equal(migrate.status, 2, `migrate refuses to start over a half-done rollback: ${migrate.stderr}`);
				assert.match(migrate.stderr, /rollback was interrupted/);
			}
			const rerun = runCli(['rollback', '--workspace', paths.root, '--yes']);
			assert.equal(rerun.status, 0, `${point}: ${rerun.stderr}`);
			assert.equal(integrityCheck(paths.database), 'ok');
			assert.deepEqual(workspaceState(paths), expected, point);
		}
	});

	it('a cut-over killed -9 at each step is reported by check and verify, finished by migrate, and rolls back byte-exact', async () => {
		const original = await demoWorkspace();
		const before = workspaceState(original);
		for (const point of killPoints.filter(name => name.startsWith('cutover:'))) {
			const paths = copyWorkspace(original);
			const killed = killedAt(point, ['migrate', '--workspace', paths.root, '--no-ui', '--yes']);
			assert.equal(killed.status, null, `${point}: killed (${killed.stderr})`);
			// Killed before the journal entry, or after the switch was recorded: not an interrupted cut-over.
			if (point !== 'cutover:caught-up' && point !== 'cutover:live-embedded') {
				const check = runCli(['check', '--workspace', paths.root, '--json']);
				assert.match(check.stdout, /cut-over to Qwen\/Qwen3-Embedding-0\.6B was interrupted/, `${point}: check says so`);
				const verify = runCli(['verify', '--workspace', paths.root]);
				assert.equal(verify.status, 2, `${point}: ${verify.stderr}`);
				assert.match(verify.stderr, /qwen3-migrate migrate` to finish it/, point);
			}

			const finished = runCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes'], {env: {QWEN3_MIGRATE_FAULTS: ''}});
			assert.equal(finished.status, 0, `${point}: ${finished.stdout}${finished.stderr}`);
			assert.deepEqual(targetRows(paths.database).map(row => row.message_id).sort(), targetMessageIds(paths.database).sort(), point);
			for (const channel of checkIndexesWithPython(paths.indices)) {
				assert.deepEqual(channel.problems, [], point);
				assert.equal(channel.dimension, 48, `${point}: the live indexes are the new ones`);
			}

			assert.match(readFileSync(paths.settings, 'utf8'), /"embedding_model": "Qwen\/Qwen3-Embedding-0\.6B"/, point);
			assert.equal(runCli(['verify', '--workspace', paths.root]).status, 0, `${point}: verify passes`);
			await rollbackMigration(rollbackWorkspacePaths(paths.root));
			assert.deepEqual({...workspaceState(paths), names: []}, {...before, names: []}, `${point}: rollback is byte-exact`);
		}
	});

	it('a kill right after the catch-up after the switch embedded messages: the rerun puts them into the live indexes', async () => {
		const paths = await demoWorkspace();
		const helper = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../helpers/migrate-storing-late.js');
		const killed = spawnSync(process.execPath, [helper, paths.root, '3'], {env: {...process.env, [killPointVariable]: 'cutover:live-embedded', QWEN3_MIGRATE_FAULTS: ''}, encoding: 'utf8'});
		assert.equal(killed.signal, 'SIGKILL', killed.stderr);
		const db = new Database(paths.database, {readonly: true});
		const caught = db.prepare("SELECT message_id AS id, channel_id AS channel FROM messages WHERE message_id LIKE 'caught-%'").all() as Array<{id: string; channel: string}>;
		db.close();
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.ok(caught.length === 3 && caught.every(({id}) => migrated.has(id)), 'killed after it embedded them, before their indexes were written');
		const rerun = await new Migration({workspace: openWorkspace(paths.root), faults: noFaults}).run();
		assert.equal(rerun.status, 'done', 'not "nothing to do"');
		const byChannel = new Map(checkIndexesWithPython(paths.indices).map(channel => [channel.channel, new Set(channel.all_ids)]));
		for (const {id, channel} of caught) {
			assert.ok(byChannel.get(channel)?.has(id), `${id} is in the live index of channel ${channel}`);
		}
	});

	it('follows symlinked settings.json and indices/: links stay links, backups are copies, rollback restores through them', async () => {
		const paths = await demoWorkspace();
		const config = path.join(paths.root, '..', 'config');
		mkdirSync(config);
		renameSync(paths.settings, path.join(config, 'settings.json'));
		symlinkSync('../config/settings.json', paths.settings);
		renameSync(paths.indices, path.join(config, 'indices'));
		symlinkSync(path.join(config, 'indices'), paths.indices);
		const before = workspaceState(paths);
		const outcome = await new Migration({workspace: openWorkspace(paths.root), faults: noFaults}).run();
		assert.equal(outcome.status, 'done');
		assert.ok(lstatSync(paths.settings).isSymbolicLink(), 'settings.json is still a link');
		assert.ok(lstatSync(paths.indices).isSymbolicLink(), 'indices is still a link');
		assert.ok(lstatSync(paths.settingsBackup).isFile(), 'the settings backup is a file, not a link');
		assert.ok(lstatSync(paths.indicesBackup).isDirectory() && !lstatSync(paths.indicesBackup).isSymbolicLink(), 'the indices backup is a real directory');
		assert.match(readFileSync(path.join(config, 'settings.json'), 'utf8'), /Qwen3-Embedding/, 'the link target was switched');
		assert.equal(checkIndexesWithPython(path.join(config, 'indices'))[0]!.dimension, 48, 'the new indexes are in the link target');
		const result = await rollbackMigration(rollbackWorkspacePaths(paths.root));
		assert.equal(result.afterCutover, true);
		assert.ok(lstatSync(paths.settings).isSymbolicLink() && lstatSync(paths.indices).isSymbolicLink(), 'links stay links after rollback');
		assert.deepEqual({...workspaceState(paths), names: []}, {...before, names: []});
		assert.ok(!existsSync(`${path.join(config, 'indices')}.qwen3-retired`));
	});
});
