import assert from 'node:assert/strict';
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {LogFollower} from '../../../source/engine/log/follow.js';
import {makeTempDir} from '../../helpers/temp.js';

describe('log follower', () => {
	it('reads appended lines, holds partial ones (even mid-character) and moves to newer log files', () => {
		const logs = path.join(makeTempDir(), 'logs');
		mkdirSync(logs);
		const first = path.join(logs, 'qwen3_migration_20250706_010000.log');
		writeFileSync(first, '2025-07-06 01:00:00 - INFO - 開始向量遷移: a -> b\n');
		const follower = new LogFollower(logs);
		assert.deepEqual(follower.poll().entries.map(entry => entry.message), ['開始向量遷移: a -> b']);
		assert.deepEqual(follower.poll().entries, []);
		const line = Buffer.from('2025-07-06 01:00:01 - ERROR - 批次遷移失敗 (offset=1): x\n');
		appendFileSync(first, line.subarray(0, 40));
		assert.deepEqual(follower.poll().entries, []);
		appendFileSync(first, line.subarray(40));
		assert.deepEqual(follower.poll().entries.map(entry => entry.message), ['批次遷移失敗 (offset=1): x']);
		const second = path.join(logs, 'qwen3_migration_20250706_020000.log');
		writeFileSync(second, '2025-07-06 02:00:00 - WARNING - new run\n');
		const result = follower.poll();
		assert.equal(result.switchedTo, second);
		assert.deepEqual(result.entries.map(entry => entry.level), ['WARNING']);
	});

	it('waits quietly for a logs directory that does not exist yet', () => {
		const follower = new LogFollower(path.join(makeTempDir(), 'logs'));
		assert.deepEqual(follower.poll(), {entries: []});
	});
});
