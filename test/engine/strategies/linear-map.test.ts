import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {normalizeInPlace} from '../../../source/engine/embed/pooling.js';
import {applyLinearMap, fitRidge} from '../../../source/engine/strategies/linear-map.js';
import {cosine, mappingQuality, matryoshka, padTo} from '../../../source/engine/strategies/vector-math.js';
import {createRandom} from '../../../source/engine/util/random.js';

const random = createRandom(7);
const randomUnit = (length: number) => normalizeInPlace(Float32Array.from({length}, () => random.normal()));

describe('linear map', () => {
	it('recovers a known linear map from samples', () => {
		const truthMap = Float32Array.from({length: 16 * 24}, () => random.normal());
		const inputs = Array.from({length: 300}, () => randomUnit(16));
		const outputs = inputs.map(input => applyLinearMap({rows: 16, columns: 24, weights: truthMap}, input));
		const fitted = fitRidge(inputs.slice(0, 240), outputs.slice(0, 240), 1e-6);
		for (const [index, input] of inputs.slice(240).entries()) {
			assert.ok(cosine(applyLinearMap(fitted, input), outputs[240 + index]!) > 0.999);
		}
	});

	it('measures retrieval quality: perfect for the truth, poor for unrelated vectors', () => {
		const truth = Array.from({length: 100}, () => randomUnit(12));
		const queries = Array.from({length: 20}, (_value, index) => 80 + index);
		assert.deepEqual(mappingQuality(truth, truth, queries), {meanCosine: 1, recallAtK: 1});
		const unrelated = Array.from({length: 100}, () => randomUnit(12));
		const poor = mappingQuality(truth, unrelated, queries);
		assert.ok(poor.recallAtK < 0.4, `recall ${poor.recallAtK}`);
		assert.ok(Math.abs(poor.meanCosine) < 0.3);
	});

	it('pads and truncates to unit vectors of the asked length', () => {
		const vector = randomUnit(8);
		const padded = padTo(vector, 12);
		assert.equal(padded.length, 12);
		assert.ok(Math.abs(Math.hypot(...padded) - 1) < 1e-6);
		assert.deepEqual(Array.from(padded.slice(8)), [0, 0, 0, 0]);
		const cut = matryoshka(vector, 4);
		assert.equal(cut.length, 4);
		assert.ok(Math.abs(Math.hypot(...cut) - 1) < 1e-6);
	});
});
