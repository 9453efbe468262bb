/** Writes plain data as a protocol 2 pickle (readable by every Python 3). */
import {encodeLong, op, type PickleKey, type PickleValue} from './opcodes.js';

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

export function dumpPickle(value: PickleValue): Buffer {
	const writer = new PickleWriter();
	writer.value(value);
	return writer.finish();
}
