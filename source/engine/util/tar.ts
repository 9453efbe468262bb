/** A minimal ustar writer (regular files only) with gzip, so `bundle` needs no system tar. */
import {gzipSync} from 'node:zlib';

function octal(value: number, length: number): string {
	return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: number): Buffer {
	const block = Buffer.alloc(512);
	const nameBytes = Buffer.from(name, 'utf8');
	if (nameBytes.length > 100) {
		throw new Error(`tar entry name too long: ${name}`);
	}

	nameBytes.copy(block, 0);
	block.write(octal(0o644, 8), 100, 'ascii');
	block.write(octal(0, 8), 108, 'ascii');
	block.write(octal(0, 8), 116, 'ascii');
	block.write(octal(size, 12), 124, 'ascii');
	block.write(octal(Math.floor(mtime / 1000), 12), 136, 'ascii');
	block.write('        ', 148, 'ascii');
	block.write('0', 156, 'ascii');
	block.write('ustar\0', 257, 'ascii');
	block.write('00', 263, 'ascii');
	let checksum = 0;
	for (const byte of block) {
		checksum += byte;
	}

	block.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
	return block;
}

export function tarGzip(files: Array<{name: string; content: string | Buffer}>, mtime = Date.now()): Buffer {
	const parts: Buffer[] = [];
	for (const file of files) {
		const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
		parts.push(header(file.name, content.length, mtime), content, Buffer.alloc((512 - (content.length % 512)) % 512));
	}

	parts.push(Buffer.alloc(1024));
	return gzipSync(Buffer.concat(parts));
}
