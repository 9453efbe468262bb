/**
 * Reads a pickle of plain data (protocols 2–5 as Python writes them). Each opcode has a small
 * handler on a stack machine; anything that could run code (GLOBAL, REDUCE, ...) has none and is
 * refused.
 */
import {decodeLong, op, PickleFormatError, type PickleKey, type PickleValue} from './opcodes.js';

const markSymbol = Symbol('mark');
type StackItem = PickleValue | typeof markSymbol;

class PickleReader {
	offset = 0;
	readonly stack: StackItem[] = [];
	readonly memo = new Map<number, PickleValue>();

	constructor(private readonly data: Buffer) {}

	need(count: number): Buffer {
		if (this.offset + count > this.data.length) {
			throw new PickleFormatError(`truncated at byte ${this.offset} (wanted ${count} more)`);
		}

		const slice = this.data.subarray(this.offset, this.offset + count);
		this.offset += count;
		return slice;
	}

	/** A length or index: one byte for the short opcode, else four (little-endian). */
	size(short: boolean): number {
		return short ? this.need(1)[0]! : this.need(4).readUInt32LE(0);
	}

	pop(): PickleValue {
		const item = this.stack.pop();
		if (item === undefined || item === markSymbol) {
			throw new PickleFormatError(`stack underflow at byte ${this.offset}`);
		}

		return item;
	}

	top(): PickleValue {
		const item = this.stack.at(-1);
		if (item === undefined || item === markSymbol) {
			throw new PickleFormatError(`stack underflow at byte ${this.offset}`);
		}

		return item;
	}

	popToMark(): PickleValue[] {
		const index = this.stack.lastIndexOf(markSymbol);
		if (index < 0) {
			throw new PickleFormatError(`no MARK on the stack at byte ${this.offset}`);
		}

		const items = this.stack.splice(index) as PickleValue[];
		items.shift();
		return items;
	}

	setItems(items: PickleValue[]): void {
		const target = this.top();
		if (!(target instanceof Map)) {
			throw new PickleFormatError(`SETITEMS on a non-dict at byte ${this.offset}`);
		}

		for (let index = 0; index + 1 < items.length; index += 2) {
			const key = items[index]!;
			if (typeof key === 'object' && key !== null) {
				throw new PickleFormatError(`unhashable dict key at byte ${this.offset}`);
			}

			target.set(key satisfies PickleKey, items[index + 1]!);
		}
	}

	append(items: PickleValue[], name: string): void {
		const list = this.top();
		if (!Array.isArray(list)) {
			throw new PickleFormatError(`${name} on a non-list at byte ${this.offset}`);
		}

		list.push(...items);
	}

	tuple(count: number): void {
		const items: PickleValue[] = [];
		for (let index = 0; index < count; index++) {
			items.unshift(this.pop());
		}

		this.stack.push(items);
	}

	long(short: boolean): void {
		const value = decodeLong(this.need(this.size(short)));
		this.stack.push(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value);
	}

	unicode(code: number): void {
		const length = code === op.SHORT_BINUNICODE ? this.need(1)[0]! : code === op.BINUNICODE ? this.need(4).readUInt32LE(0) : Number(this.need(8).readBigUInt64LE(0));
		this.stack.push(this.need(length).toString('utf8'));
	}

	memoGet(index: number): void {
		if (!this.memo.has(index)) {
			throw new PickleFormatError(`memo ${index} missing at byte ${this.offset}`);
		}

		this.stack.push(this.memo.get(index)!);
	}
}

type Handler = (reader: PickleReader, code: number) => void;

/** What each supported opcode does (STOP is handled by the loop: it ends the read). */
const handlers = new Map<number, Handler>([
	[op.PROTO, reader => reader.need(1)],
	[op.FRAME, reader => reader.need(8)],
	[op.MARK, reader => reader.stack.push(markSymbol)],
	[op.EMPTY_DICT, reader => reader.stack.push(new Map())],
	[
		op.SETITEM,
		reader => {
			const value = reader.pop();
			reader.setItems([reader.pop(), value]);
		},
	],
	[op.SETITEMS, reader => reader.setItems(reader.popToMark())],
	[op.EMPTY_LIST, reader => reader.stack.push([])],
	[op.EMPTY_TUPLE, reader => reader.stack.push([])],
	[op.APPEND, reader => reader.append([reader.pop()], 'APPEND')],
	[op.APPENDS, reader => reader.append(reader.popToMark(), 'APPENDS')],
	[op.TUPLE, reader => reader.stack.push(reader.popToMark())],
	[op.TUPLE1, reader => reader.tuple(1)],
	[op.TUPLE2, reader => reader.tuple(2)],
	[op.TUPLE3, reader => reader.tuple(3)],
	[op.NONE, reader => reader.stack.push(null)],
	[op.NEWTRUE, reader => reader.stack.push(true)],
	[op.NEWFALSE, reader => reader.stack.push(false)],
	[op.BININT, reader => reader.stack.push(reader.need(4).readInt32LE(0))],
	[op.BININT1, reader => reader.stack.push(reader.need(1)[0]!)],
	[op.BININT2, reader => reader.stack.push(reader.need(2).readUInt16LE(0))],
	[op.LONG1, reader => reader.long(true)],
	[op.LONG4, reader => reader.long(false)],
	[op.BINFLOAT, reader => reader.stack.push(reader.need(8).readDoubleBE(0))],
	[op.BINUNICODE, (reader, code) => reader.unicode(code)],
	[op.SHORT_BINUNICODE, (reader, code) => reader.unicode(code)],
	[op.BINUNICODE8, (reader, code) => reader.unicode(code)],
	[op.MEMOIZE, reader => reader.memo.set(reader.memo.size, reader.top())],
	[op.BINPUT, reader => reader.memo.set(reader.size(true), reader.top())],
	[op.LONG_BINPUT, reader => reader.memo.set(reader.size(false), reader.top())],
	[op.BINGET, reader => reader.memoGet(reader.size(true))],
	[op.LONG_BINGET, reader => reader.memoGet(reader.size(false))],
]);

/** Reads a pickle of plain data. Throws PickleFormatError on anything else or on truncation. */
export function loadPickle(data: Buffer): PickleValue {
	const reader = new PickleReader(data);
	for (;;) {
		const code = reader.need(1)[0]!;
		if (code === op.STOP) {
			return reader.pop();
		}

		const handler = handlers.get(code);
		if (!handler) {
			throw new PickleFormatError(`unsupported pickle opcode 0x${code.toString(16)} at byte ${reader.offset - 1}`);
		}

		handler(reader, code);
	}
}
