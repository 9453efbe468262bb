/**
 * A linear map from the old vector space into the new one: ridge-regularised least squares,
 * W = (XᵀX + λI)⁻¹ XᵀY, solved with ml-matrix. Vectors on both sides are unit length, so what
 * matters is direction: a few rounds re-fit against each target scaled by how far the current map
 * already reaches along it (a scale-invariant fit). Applied vectors are re-normalised.
 */
import {LuDecomposition, Matrix} from 'ml-matrix';
import {normalizeInPlace} from '../embed/pooling.js';

export type LinearMap = {rows: number; columns: number; weights: Float32Array};

export function fitRidge(inputs: readonly Float32Array[], targets: readonly Float32Array[], ridge = 1e-3, rounds = 6): LinearMap {
	const x = new Matrix(inputs.map(vector => Array.from(vector)));
	const y = new Matrix(targets.map(vector => Array.from(vector)));
	const xt = x.transpose();
	const gram = xt.mmul(x);
	// λ scaled to the data, so the same setting suits vectors of any size.
	const scale = (gram.trace() / gram.rows) * ridge;
	for (let index = 0; index < gram.rows; index++) {
		gram.set(index, index, gram.get(index, index) + scale);
	}

	const lu = new LuDecomposition(gram);
	let weights = lu.solve(xt.mmul(y));
	for (let round = 0; round < rounds; round++) {
		const predicted = x.mmul(weights);
		const scales = Array.from({length: y.rows}, (_value, row) => Math.max(1e-6, predicted.getRow(row).reduce((sum, value, column) => sum + value * y.get(row, column), 0)));
		const mean = scales.reduce((sum, value) => sum + value, 0) / scales.length;
		const scaled = new Matrix(y.rows, y.columns);
		for (let row = 0; row < y.rows; row++) {
			const factor = scales[row]! / mean;
			for (let column = 0; column < y.columns; column++) {
				scaled.set(row, column, y.get(row, column) * factor);
			}
		}

		weights = lu.solve(xt.mmul(scaled));
	}

	return {rows: weights.rows, columns: weights.columns, weights: Float32Array.from(weights.to1DArray())};
}

export function applyLinearMap(map: LinearMap, vector: Float32Array): Float32Array {
	const out = new Float32Array(map.columns);
	for (let row = 0; row < map.rows; row++) {
		const value = vector[row]!;
		if (value === 0) {
			continue;
		}

		const offset = row * map.columns;
		for (let column = 0; column < map.columns; column++) {
			out[column]! += value * map.weights[offset + column]!;
		}
	}

	return normalizeInPlace(out);
}
