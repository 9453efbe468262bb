import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {formatCounts, runFaultMatrix, shortMatrixPhases, shortMatrixWriters} from './matrix.js';

describe('fault matrix (short; `node .build/test/faults/matrix.js --long` for the full one)', () => {
	it('kill -9 in each phase and a full disk in the backup and log writers, with a bot writing, then a rerun: nothing lost, no duplicates, indexes load, rollback byte-exact', async () => {
		const counts = await runFaultMatrix();
		console.log(formatCounts(counts));
		assert.equal(counts.trials, shortMatrixPhases.length + shortMatrixWriters.length);
		assert.ok(counts.diskFullStops >= shortMatrixWriters.length - 1, `the disk-full stops landed: ${formatCounts(counts)}`);
		assert.ok(counts.faults >= counts.trials - 1, `the kills landed: ${formatCounts(counts)}`);
		assert.deepEqual(counts.problems, []);
		assert.equal(counts.rowsLost + counts.oldVectorsLost + counts.duplicates + counts.unreadableIndexes + counts.rollbackMismatches, 0);
	});
});
