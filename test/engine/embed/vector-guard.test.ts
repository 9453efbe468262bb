import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {invalidRows, invalidVectorReason} from '../../../source/engine/embed/vector-guard.js';

describe('the vector guard', () => {
	it('passes a finite vector with a non-zero norm', () => {
		assert.equal(invalidVectorReason(new Float32Array([0.6, 0.8])), undefined);
		assert.equal(invalidVectorReason(new Float32Array([0, 1e-20])), undefined);
	});

	it('names NaN, Infinity and zero norm with the dimension', () => {
		assert.equal(invalidVectorReason(new Float32Array([0.1, Number.NaN])), 'vector has NaN at dimension 1');
		assert.equal(invalidVectorReason(new Float32Array([Number.NEGATIVE_INFINITY, 0])), 'vector has -Infinity at dimension 0');
		assert.equal(invalidVectorReason(new Float32Array([0, 0, 0])), 'vector has zero norm (all dimensions are 0)');
		assert.equal(invalidVectorReason(new Float32Array([])), 'vector is empty');
	});

	it('picks the bad rows out of a batch', () => {
		const batch = new Float32Array([1, 0, 0, 0, Number.NaN, 1, 0, 1]);
		assert.deepEqual(invalidRows(batch, 2), [
			{row: 1, reason: 'vector has zero norm (all dimensions are 0)'},
			{row: 2, reason: 'vector has NaN at dimension 0'},
		]);
	});
});
