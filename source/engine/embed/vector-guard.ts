/**
 * The last check before a vector is committed: NaN, ±Infinity or a zero norm would be stored as a
 * valid-looking row that the bot's FAISS search then silently ranks wrong (or everywhere).
 */

/** Why a vector must not be committed, or undefined when it is fine. */
export function invalidVectorReason(vector: ArrayLike<number>): string | undefined {
	let sumOfSquares = 0;
	for (let index = 0; index < vector.length; index++) {
		const value = vector[index]!;
		if (Number.isNaN(value)) {
			return `vector has NaN at dimension ${index}`;
		}

		if (!Number.isFinite(value)) {
			return `vector has ${value > 0 ? '+' : '-'}Infinity at dimension ${index}`;
		}

		sumOfSquares += value * value;
	}

	if (vector.length === 0) {
		return 'vector is empty';
	}

	return sumOfSquares > 0 ? undefined : 'vector has zero norm (all dimensions are 0)';
}

/** The rows of a row-major batch that must not be committed, with their reasons. */
export function invalidRows(vectors: Float32Array, dimension: number): Array<{row: number; reason: string}> {
	const problems: Array<{row: number; reason: string}> = [];
	for (let row = 0; row * dimension < vectors.length; row++) {
		const reason = invalidVectorReason(vectors.subarray(row * dimension, (row + 1) * dimension));
		if (reason) {
			problems.push({row, reason});
		}
	}

	return problems;
}
