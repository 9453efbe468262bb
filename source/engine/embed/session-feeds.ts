/**
 * The inputs an embedding model's ONNX session takes, built from a tokenised batch. The real Qwen3
 * export wants position_ids and an empty KV cache besides the ids and the mask; a BERT-type model
 * wants token_type_ids. Everything is derived from the session's own input list, as transformers.js
 * does, so the same code runs the real weights and the stand-ins.
 */

/** The subset of an onnxruntime session's input metadata that the feeds need. */
export type InputInfo = {name: string; type: string; shape: ReadonlyArray<number | string>};

/**
 * position_ids from the attention mask, as transformers does (`mask.cumsum(-1) - 1`, pads set to 1):
 * each row's real tokens are numbered 0..n-1 whichever side the padding is on, so a text's vector
 * does not depend on how long its batch neighbours are.
 */
export function positionIdsFromMask(attentionMask: BigInt64Array, batchSize: number, sequenceLength: number): BigInt64Array {
	const positions = new BigInt64Array(batchSize * sequenceLength);
	for (let row = 0; row < batchSize; row++) {
		let next = 0n;
		for (let column = 0; column < sequenceLength; column++) {
			const index = row * sequenceLength + column;
			if (attentionMask[index] === 0n) {
				positions[index] = 1n;
			} else {
				positions[index] = next;
				next++;
			}
		}
	}

	return positions;
}

/** An empty past for a KV-cache input: the batch axis is the batch, the past length is 0. */
export function emptyPastShape(info: InputInfo, batchSize: number): number[] {
	return info.shape.map((dimension, axis) => {
		if (typeof dimension === 'number' && dimension >= 0) {
			return dimension;
		}

		// Symbolic axes: the first is the batch, the sequence axis ("past_sequence_length") is empty.
		return axis === 0 ? batchSize : 0;
	});
}

export function isPastInput(name: string): boolean {
	return name.startsWith('past_key_values.');
}

/** fp16 bits → float32 (an fp16 export's last_hidden_state comes back as 16-bit words). */
export function float16ToFloat32(words: Uint16Array): Float32Array {
	const out = new Float32Array(words.length);
	for (let index = 0; index < words.length; index++) {
		const word = words[index]!;
		const sign = word & 0x80_00 ? -1 : 1;
		const exponent = (word >> 10) & 0x1F;
		const fraction = word & 0x3_FF;
		if (exponent === 0) {
			out[index] = sign * 2 ** -14 * (fraction / 1024);
		} else if (exponent === 0x1F) {
			out[index] = fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
		} else {
			out[index] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
		}
	}

	return out;
}

/** float32 → fp16 bits, rounding to nearest even (for fp16 inputs and the generated fp16 weights). */
export function float32ToFloat16(values: Float32Array): Uint16Array {
	const out = new Uint16Array(values.length);
	const floatView = new Float32Array(1);
	const intView = new Uint32Array(floatView.buffer);
	for (let index = 0; index < values.length; index++) {
		floatView[0] = values[index]!;
		const bits = intView[0]!;
		const sign = (bits >>> 16) & 0x80_00;
		const exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
		let mantissa = bits & 0x7F_FF_FF;
		if (((bits >>> 23) & 0xFF) === 0xFF) {
			out[index] = sign | 0x7C_00 | (mantissa ? 0x2_00 : 0);
		} else if (exponent >= 0x1F) {
			out[index] = sign | 0x7C_00;
		} else if (exponent <= 0) {
			// Subnormal or zero in fp16.
			if (exponent < -10) {
				out[index] = sign;
			} else {
				mantissa |= 0x80_00_00;
				const shift = 14 - exponent;
				const rounded = (mantissa + (1 << (shift - 1)) - 1 + ((mantissa >> shift) & 1)) >> shift;
				out[index] = sign | rounded;
			}
		} else {
			const rounded = mantissa + 0xF_FF + ((mantissa >> 13) & 1);
			out[index] = rounded & 0x80_00_00 ? sign | ((exponent + 1) << 10) : sign | (exponent << 10) | (rounded >> 13);
		}
	}

	return out;
}
