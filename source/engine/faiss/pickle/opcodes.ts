/** The pickle opcodes PigPig's mappings use, the value types they carry, and pickle's long-integer encoding. */

export type PickleValue = null | boolean | number | bigint | string | PickleValue[] | Map<PickleKey, PickleValue>;
export type PickleKey = string | number | bigint | boolean | null;

export class PickleFormatError extends Error {}

export const op = {
	PROTO: 0x80,
	STOP: 0x2e,
	MARK: 0x28,
	EMPTY_DICT: 0x7d,
	SETITEM: 0x73,
	SETITEMS: 0x75,
	EMPTY_LIST: 0x5d,
	APPEND: 0x61,
	APPENDS: 0x65,
	EMPTY_TUPLE: 0x29,
	TUPLE: 0x74,
	TUPLE1: 0x85,
	TUPLE2: 0x86,
	TUPLE3: 0x87,
	NONE: 0x4e,
	NEWTRUE: 0x88,
	NEWFALSE: 0x89,
	BININT: 0x4a,
	BININT1: 0x4b,
	BININT2: 0x4d,
	LONG1: 0x8a,
	LONG4: 0x8b,
	BINFLOAT: 0x47,
	BINUNICODE: 0x58,
	SHORT_BINUNICODE: 0x8c,
	BINUNICODE8: 0x8d,
	FRAME: 0x95,
	MEMOIZE: 0x94,
	BINPUT: 0x71,
	LONG_BINPUT: 0x72,
	BINGET: 0x68,
	LONG_BINGET: 0x6a,
} as const;

/** Two's complement little-endian, as pickle's LONG1 wants (Python's encode_long). */
export function encodeLong(value: bigint): Buffer {
	const bytes: number[] = [];
	let rest = value;
	for (;;) {
		const byte = Number(rest & 0xffn);
		bytes.push(byte);
		rest >>= 8n;
		const signBitSet = (byte & 0x80) !== 0;
		if ((rest === 0n && !signBitSet) || (rest === -1n && signBitSet)) {
			return Buffer.from(bytes);
		}
	}
}

export function decodeLong(body: Buffer): bigint {
	if (body.length === 0) {
		return 0n;
	}

	let value = 0n;
	for (let index = body.length - 1; index >= 0; index--) {
		value = (value << 8n) | BigInt(body[index]!);
	}

	return (body[body.length - 1]! & 0x80) === 0 ? value : value - (1n << BigInt(body.length * 8));
}
