/** An in-memory terminal for benchmarks: Ink renders into it exactly as into a real TTY. */
import {PassThrough, Writable} from 'node:stream';

export function fakeTerminal(columns: number, rows: number): {stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream; bytesWritten: () => number} {
	let bytes = 0;
	const stdout = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			bytes += chunk.length;
			callback();
		},
	}) as unknown as NodeJS.WriteStream;
	Object.assign(stdout, {isTTY: true, columns, rows});
	const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
	Object.assign(stdin, {isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin});
	return {stdout, stdin, bytesWritten: () => bytes};
}
