import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {RunControl} from '../../../source/engine/migration/control.js';
import {MigrationEvents} from '../../../source/engine/migration/events.js';

describe('run control', () => {
	it('takes the starting batch size from settings without announcing a change', () => {
		const events = new MigrationEvents();
		const changes: string[] = [];
		events.on('batch:size:change', ({from, to, reason}) => changes.push(`${from} -> ${to} (${reason})`));
		const control = new RunControl(32, events);
		control.startWith({batchSize: 100, tokenBudget: 4096});
		assert.equal(control.batchSize, 100);
		assert.equal(control.tokenBudget, 4096);
		assert.deepEqual(changes, [], 'starting at a size is not a change: no `batch size 32 -> 100 (user)` line');
		control.setBatchSize(50);
		control.halveBatchSize('oom');
		assert.deepEqual(changes, ['100 -> 50 (user)', '50 -> 25 (oom)']);
	});
});
