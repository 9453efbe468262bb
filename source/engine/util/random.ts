/** A small seeded PRNG (mulberry32), so generated models and demo data are reproducible. */

export type Random = {
	/** Uniform in [0, 1). */
	next: () => number;
	/** Integer in [0, max). */
	int: (max: number) => number;
	/** Standard normal (Box–Muller). */
	normal: () => number;
	pick: <T>(items: readonly T[]) => T;
};

export function createRandom(seed: number): Random {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
	};

	const int = (max: number) => Math.floor(next() * max);
	return {
		next,
		int,
		normal() {
			const u = Math.max(next(), Number.EPSILON);
			return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
		},
		pick: <T>(items: readonly T[]) => items[int(items.length)]!,
	};
}

/** A Float32Array of normal values scaled by `scale` (e.g. 1/sqrt(fan-in) for stable activations). */
export function randomMatrix(random: Random, length: number, scale: number): Float32Array {
	const values = new Float32Array(length);
	for (let index = 0; index < length; index++) {
		values[index] = random.normal() * scale;
	}

	return values;
}
