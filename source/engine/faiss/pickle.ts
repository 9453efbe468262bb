/**
 * Just enough of Python's pickle format for PigPig's `.mapping` files: dicts, lists, tuples, str,
 * int, float, bool and None. The writer emits protocol 2 (readable by every Python 3); the reader
 * also takes protocols 3–5 as Python writes them by default. Anything that could run code
 * (GLOBAL, REDUCE, ...) is refused.
 */

export type PickleValue = null | boolean | number | bigint | string | PickleValue[] | Map<PickleKey, PickleValue>;
export type PickleKey = string | number | bigint | boolean | null;

const op = {
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

class PickleWriter {
	private readonly chunks: Buffer[] = [];

	byte(value: number): void {
		this.chunks.push(Buffer.of(value));
	}

	bytes(buffer: Buffer): void {
		this.chunks.push(buffer);
	}

	int(value: number | bigint): void {
		const big = BigInt(value);
		if (big >= 0n && big < 256n) {
			this.bytes(Buffer.of(op.BININT1, Number(big)));
		} else if (big >= 0n && big < 65_536n) {
			const buffer = Buffer.alloc(3);
			buffer[0] = op.BININT2;
			buffer.writeUInt16LE(Number(big), 1);
			this.bytes(buffer);
		} else if (big >= -(2n ** 31n) && big < 2n ** 31n) {
			const buffer = Buffer.alloc(5);
			buffer[0] = op.BININT;
			buffer.writeInt32LE(Number(big), 1);
			this.bytes(buffer);
		} else {
			const body = encodeLong(big);
			this.bytes(Buffer.of(op.LONG1, body.length));
			this.bytes(body);
		}
	}

	string(value: string): void {
		const body = Buffer.from(value, 'utf8');
		const header = Buffer.alloc(5);
		header[0] = op.BINUNICODE;
		header.writeUInt32LE(body.length, 1);
		this.bytes(header);
		this.bytes(body);
	}

	value(value: PickleValue): void {
		if (value === null) {
			this.byte(op.NONE);
		} else if (typeof value === 'boolean') {
			this.byte(value ? op.NEWTRUE : op.NEWFALSE);
		} else if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) {
			this.int(value);
		} else if (typeof value === 'number') {
			const buffer = Buffer.alloc(9);
			buffer[0] = op.BINFLOAT;
			buffer.writeDoubleBE(value, 1);
			this.bytes(buffer);
		} else if (typeof value === 'string') {
			this.string(value);
		} else if (Array.isArray(value)) {
			this.list(value);
		} else {
			this.dict(value);
		}
	}

	private list(items: PickleValue[]): void {
		this.byte(op.EMPTY_LIST);
		for (let start = 0; start < items.length; start += 1000) {
			this.byte(op.MARK);
			for (const item of items.slice(start, start + 1000)) {
				this.value(item);
			}

			this.byte(op.APPENDS);
		}
	}

	/** Python batches SETITEMS by 1000 pairs; so do we, which keeps the stack small for readers. */
	private dict(map: Map<PickleKey, PickleValue>): void {
		this.byte(op.EMPTY_DICT);
		const entries = [...map.entries()];
		for (let start = 0; start < entries.length; start += 1000) {
			this.byte(op.MARK);
			for (const [key, item] of entries.slice(start, start + 1000)) {
				this.value(key);
				this.value(item);
			}

			this.byte(op.SETITEMS);
		}
	}

	finish(): Buffer {
		return Buffer.concat([Buffer.of(op.PROTO, 2), ...this.chunks, Buffer.of(op.STOP)]);
	}
}

/** Two's complement little-endian, as pickle's LONG1 wants (Python's encode_long). */
function encodeLong(value: bigint): Buffer {
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

function decodeLong(body: Buffer): bigint {
	if (body.length === 0) {
		return 0n;
	}

	let value = 0n;
	for (let index = body.length - 1; index >= 0; index--) {
		value = (value << 8n) | BigInt(body[index]!);
	}

	return (body[body.length - 1]! & 0x80) === 0 ? value : value - (1n << BigInt(body.length * 8));
}

export function dumpPickle(value: PickleValue): Buffer {
	const writer = new PickleWriter();
	writer.value(value);
	return writer.finish();
}

export class PickleFormatError extends Error {}

const markSymbol = Symbol('mark');
type StackItem = PickleValue | typeof markSymbol;

/** Reads a pickle of plain data. Throws PickleFormatError on anything else or on truncation. */
export function loadPickle(data: Buffer): PickleValue {
	let offset = 0;
	const stack: StackItem[] = [];
	const memo = new Map<number, PickleValue>();

	const need = (count: number) => {
		if (offset + count > data.length) {
			throw new PickleFormatError(`truncated at byte ${offset} (wanted ${count} more)`);
		}

		const slice = data.subarray(offset, offset + count);
		offset += count;
		return slice;
	};

	const pop = (): PickleValue => {
		const item = stack.pop();
		if (item === undefined || item === markSymbol) {
			throw new PickleFormatError(`stack underflow at byte ${offset}`);
		}

		return item;
	};

	const popToMark = (): PickleValue[] => {
		const index = stack.lastIndexOf(markSymbol);
		if (index < 0) {
			throw new PickleFormatError(`no MARK on the stack at byte ${offset}`);
		}

		const items = stack.splice(index) as PickleValue[];
		items.shift();
		return items;
	};

	const top = (): PickleValue => {
		const item = stack.at(-1);
		if (item === undefined || item === markSymbol) {
			throw new PickleFormatError(`stack underflow at byte ${offset}`);
		}

		return item;
	};

	const setItems = (target: PickleValue, items: PickleValue[]) => {
		if (!(target instanceof Map)) {
			throw new PickleFormatError(`SETITEMS on a non-dict at byte ${offset}`);
		}

		for (let index = 0; index + 1 < items.length; index += 2) {
			target.set(asKey(items[index]!), items[index + 1]!);
		}
	};

	const asKey = (value: PickleValue): PickleKey => {
		if (typeof value === 'object' && value !== null) {
			throw new PickleFormatError(`unhashable dict key at byte ${offset}`);
		}

		return value;
	};

	for (;;) {
		const code = need(1)[0]!;
		switch (code) {
			case op.PROTO: {
				need(1);
				break;
			}

			case op.FRAME: {
				need(8);
				break;
			}

			case op.STOP: {
				return pop();
			}

			case op.MARK: {
				stack.push(markSymbol);
				break;
			}

			case op.EMPTY_DICT: {
				stack.push(new Map());
				break;
			}

			case op.SETITEM: {
				const value = pop();
				const key = pop();
				setItems(top(), [key, value]);
				break;
			}

			case op.SETITEMS: {
				const items = popToMark();
				setItems(top(), items);
				break;
			}

			case op.EMPTY_LIST:
			case op.EMPTY_TUPLE: {
				stack.push([]);
				break;
			}

			case op.APPEND: {
				const value = pop();
				const list = top();
				if (!Array.isArray(list)) {
					throw new PickleFormatError(`APPEND on a non-list at byte ${offset}`);
				}

				list.push(value);
				break;
			}

			case op.APPENDS: {
				const items = popToMark();
				const list = top();
				if (!Array.isArray(list)) {
					throw new PickleFormatError(`APPENDS on a non-list at byte ${offset}`);
				}

				list.push(...items);
				break;
			}

			case op.TUPLE: {
				stack.push(popToMark());
				break;
			}

			case op.TUPLE1:
			case op.TUPLE2:
			case op.TUPLE3: {
				const count = code - op.TUPLE1 + 1;
				const items: PickleValue[] = [];
				for (let index = 0; index < count; index++) {
					items.unshift(pop());
				}

				stack.push(items);
				break;
			}

			case op.NONE: {
				stack.push(null);
				break;
			}

			case op.NEWTRUE: {
				stack.push(true);
				break;
			}

			case op.NEWFALSE: {
				stack.push(false);
				break;
			}

			case op.BININT: {
				stack.push(need(4).readInt32LE(0));
				break;
			}

			case op.BININT1: {
				stack.push(need(1)[0]!);
				break;
			}

			case op.BININT2: {
				stack.push(need(2).readUInt16LE(0));
				break;
			}

			case op.LONG1:
			case op.LONG4: {
				const length = code === op.LONG1 ? need(1)[0]! : need(4).readUInt32LE(0);
				const value = decodeLong(need(length));
				stack.push(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value);
				break;
			}

			case op.BINFLOAT: {
				stack.push(need(8).readDoubleBE(0));
				break;
			}

			case op.BINUNICODE:
			case op.SHORT_BINUNICODE:
			case op.BINUNICODE8: {
				const length =
					code === op.SHORT_BINUNICODE ? need(1)[0]! : code === op.BINUNICODE ? need(4).readUInt32LE(0) : Number(need(8).readBigUInt64LE(0));
				stack.push(need(length).toString('utf8'));
				break;
			}

			case op.MEMOIZE: {
				memo.set(memo.size, top());
				break;
			}

			case op.BINPUT:
			case op.LONG_BINPUT: {
				const index = code === op.BINPUT ? need(1)[0]! : need(4).readUInt32LE(0);
				memo.set(index, top());
				break;
			}

			case op.BINGET:
			case op.LONG_BINGET: {
				const index = code === op.BINGET ? need(1)[0]! : need(4).readUInt32LE(0);
				if (!memo.has(index)) {
					throw new PickleFormatError(`memo ${index} missing at byte ${offset}`);
				}

				stack.push(memo.get(index)!);
				break;
			}

			default: {
				throw new PickleFormatError(`unsupported pickle opcode 0x${code.toString(16)} at byte ${offset - 1}`);
			}
		}
	}
}
