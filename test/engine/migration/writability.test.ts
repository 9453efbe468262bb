import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {runCli} from '../../helpers/cli.js';
import {demoWorkspace, dumpBotTables} from '../../helpers/workspace.js';

/** chattr +i refuses writes even to root (these tests run as root here); undone in `finally`. */
function immutable(file: string, on: boolean): boolean {
	return spawnSync('chattr', [on ? '+i' : '-i', file]).status === 0;
}

describe('preflight writability', () => {
	for (const target of ['settings.json', 'indices/'] as const) {
		it(`refuses an unwritable ${target} before anything is written`, async t => {
			const paths = await demoWorkspace();
			const file = target === 'settings.json' ? paths.settings : paths.indices;
			if (!immutable(file, true)) {
				t.skip('chattr +i is not supported on this filesystem');
				return;
			}

			try {
				const before = dumpBotTables(paths.database);
				const result = runCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes']);
				assert.equal(result.status, 2, result.stderr);
				assert.match(result.stderr, new RegExp(`${target === 'settings.json' ? 'settings\\.json' : 'indices/'} \\S+ is not writable \\(EPERM\\); nothing was written\\n {2}fix: `));
				assert.deepEqual(dumpBotTables(paths.database), before);
				assert.ok(!existsSync(paths.settingsBackup) && !existsSync(paths.databaseBackup) && !existsSync(paths.lock));
			} finally {
				immutable(file, false);
			}
		});
	}

	it('refuses indices/ on another filesystem than the staging directory (no cross-device rename)', async t => {
		if (!existsSync('/dev/shm')) {
			t.skip('no /dev/shm');
			return;
		}

		const paths = await demoWorkspace();
		const elsewhere = path.join(mkdtempSync('/dev/shm/qwen3-indices-'), 'indices');
		cpSync(paths.indices, elsewhere, {recursive: true});
		rmSync(paths.indices, {recursive: true});
		symlinkSync(elsewhere, paths.indices);
		try {
			const result = runCli(['migrate', '--workspace', paths.root, '--no-ui', '--yes']);
			assert.equal(result.status, 2, result.stderr);
			assert.match(result.stderr, /is not on the same filesystem as .*cannot cross filesystems; nothing was written/);
			assert.ok(!existsSync(paths.databaseBackup));
		} finally {
			rmSync(path.dirname(elsewhere), {recursive: true, force: true});
		}
	});
});
