import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {latestRun} from '../../source/engine/run-store/index.js';
import {cliPath} from '../helpers/cli.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../helpers/workspace.js';

describe('SIGHUP', () => {
	it('a headless run goes on as under nohup, logs it, finishes and leaves no lock or running record', {timeout: 240_000}, async () => {
		const paths = await demoWorkspace();
		const child = spawn(process.execPath, [cliPath, 'migrate', '--workspace', paths.root, '--no-ui', '--yes', '--batch-size', '8'], {
			env: {...process.env, NO_COLOR: '1', QWEN3_MIGRATE_FAULTS: 'slow@batch=4:1500'},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		let hungUp = false;
		child.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			if (!hungUp && /\[embed\]/.test(output)) {
				hungUp = true;
				child.kill('SIGHUP');
			}
		});
		child.stderr.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		const code = await new Promise<number | null>(resolve => child.once('exit', resolve));
		assert.ok(hungUp, `never saw progress: ${output}`);
		assert.equal(code, 0, output);
		assert.ok(!existsSync(paths.lock), 'lock released');
		const db = new Database(paths.database, {readonly: true});
		assert.equal(latestRun(db)!.status, 'done');
		db.close();
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
		const log = readdirSync(paths.logs).map(name => readFileSync(path.join(paths.logs, name), 'utf8')).join('');
		assert.match(log, / - WARNING - 終端已斷線 \(SIGHUP\)，遷移繼續在背景執行/);
	});
});
