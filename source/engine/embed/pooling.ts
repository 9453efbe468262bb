/** Pooling and normalisation over a [batch, sequence, hidden] output, done in one pass each. */
import type {Pooling} from './protocol.js';

export function poolHiddenStates(
	hidden: Float32Array,
	attentionMask: BigInt64Array,
	batchSize: number,
	sequenceLength: number,
	pooling: Pooling,
): {vectors: Float32Array; dimension: number} {
	const dimension = hidden.length / (batchSize * sequenceLength);
	const vectors = new Float32Array(batchSize * dimension);
	for (let row = 0; row < batchSize; row++) {
		const out = vectors.subarray(row * dimension, (row + 1) * dimension);
		const maskRow = attentionMask.subarray(row * sequenceLength, (row + 1) * sequenceLength);
		if (pooling === 'last_token') {
			// The last real token, whichever side the padding is on.
			let position = sequenceLength - 1;
			while (position > 0 && maskRow[position] === 0n) {
				position--;
			}

			const start = (row * sequenceLength + position) * dimension;
			out.set(hidden.subarray(start, start + dimension));
		} else {
			let count = 0;
			for (let position = 0; position < sequenceLength; position++) {
				if (maskRow[position] === 0n) {
					continue;
				}

				count++;
				const start = (row * sequenceLength + position) * dimension;
				for (let index = 0; index < dimension; index++) {
					out[index]! += hidden[start + index]!;
				}
			}

			const scale = 1 / Math.max(count, 1);
			for (let index = 0; index < dimension; index++) {
				out[index]! *= scale;
			}
		}

		normalizeInPlace(out);
	}

	return {vectors, dimension};
}

/** Scales to unit L2 norm; a zero vector stays zero (the verify command reports those). */
export function normalizeInPlace(vector: Float32Array): Float32Array {
	let sum = 0;
	for (const value of vector) {
		sum += value * value;
	}

	if (sum > 0) {
		const scale = 1 / Math.sqrt(sum);
		for (let index = 0; index < vector.length; index++) {
			vector[index]! *= scale;
		}
	}

	return vector;
}
