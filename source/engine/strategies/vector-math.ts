/** Small vector helpers for the strategies: slicing, padding, normalising, cosine, k nearest. */
import {normalizeInPlace} from '../embed/pooling.js';

/** The first `k` components, re-normalised (Matryoshka truncation). */
export function matryoshka(vector: Float32Array, k: number): Float32Array {
	return k >= vector.length ? vector : normalizeInPlace(vector.slice(0, k));
}

export function padTo(vector: Float32Array, width: number): Float32Array {
	const padded = new Float32Array(width);
	padded.set(vector.subarray(0, width));
	return normalizeInPlace(padded);
}

export function dot(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let index = 0; index < a.length; index++) {
		sum += a[index]! * b[index]!;
	}

	return sum;
}

export function cosine(a: Float32Array, b: Float32Array): number {
	const norms = Math.sqrt(dot(a, a) * dot(b, b));
	return norms === 0 ? 0 : dot(a, b) / norms;
}

/** Indices of the `k` documents with the highest dot product with `query`, skipping `exclude`. */
export function topK(query: Float32Array, documents: readonly Float32Array[], k: number, exclude: number): number[] {
	const scored: Array<[number, number]> = [];
	for (const [index, document] of documents.entries()) {
		if (index !== exclude) {
			scored.push([dot(query, document), index]);
		}
	}

	scored.sort((a, b) => b[0] - a[0]);
	return scored.slice(0, k).map(([, index]) => index);
}

/**
 * How well mapped document vectors serve queries from the new model: for each query message, the
 * share of its true 10 nearest neighbours (true vectors) that a search among the mapped vectors
 * also returns, averaged. Mean cosine compares each mapped vector with its true one.
 */
export function mappingQuality(truth: readonly Float32Array[], mapped: readonly Float32Array[], queries: readonly number[], k = 10): {meanCosine: number; recallAtK: number} {
	let cosineSum = 0;
	let recallSum = 0;
	const neighbours = Math.min(k, truth.length - 1);
	for (const query of queries) {
		cosineSum += cosine(truth[query]!, mapped[query]!);
		if (neighbours <= 0) {
			recallSum += 1;
			continue;
		}

		const expected = new Set(topK(truth[query]!, truth, neighbours, query));
		const found = topK(truth[query]!, mapped, neighbours, query);
		recallSum += found.filter(index => expected.has(index)).length / neighbours;
	}

	const count = Math.max(1, queries.length);
	return {meanCosine: cosineSum / count, recallAtK: recallSum / count};
}
