/** Vector blobs as the bot stores them: raw little-endian float32 (numpy `tobytes()`). */
import {DatabaseError} from '../errors.js';

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeVector(vector: Float32Array): Buffer {
	if (littleEndianHost) {
		return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
	}

	const buffer = Buffer.alloc(vector.length * 4);
	for (const [index, value] of vector.entries()) {
		buffer.writeFloatLE(value, index * 4);
	}

	return buffer;
}

/**
 * Decodes a blob into a fresh Float32Array, rejecting one whose length is not 4 × dimension
 * (a truncated write, or a row whose dimension column lies).
 */
export function decodeVector(blob: Uint8Array, dimension: number, where = 'vector_data'): Float32Array {
	if (!Number.isInteger(dimension) || dimension <= 0) {
		throw new DatabaseError('vector-blob', `${where}: dimension ${dimension} is not a positive integer`, {
			hint: 'run `qwen3-migrate verify` to list the bad rows',
		});
	}

	if (blob.byteLength !== dimension * 4) {
		throw new DatabaseError(
			'vector-blob',
			`${where}: blob is ${blob.byteLength} bytes, expected ${dimension * 4} (4 × dimension ${dimension})`,
			{hint: 'run `qwen3-migrate verify` to list the bad rows'},
		);
	}

	const vector = new Float32Array(dimension);
	if (littleEndianHost) {
		new Uint8Array(vector.buffer).set(blob);
		return vector;
	}

	const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
	for (let index = 0; index < dimension; index++) {
		vector[index] = view.getFloat32(index * 4, true);
	}

	return vector;
}
