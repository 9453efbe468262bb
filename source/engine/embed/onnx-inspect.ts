/**
 * Reads just enough of an .onnx file to tell whether it is whole and which external-data files it
 * needs, without loading it into onnxruntime: `check` must name a truncated download or a missing
 * `model.onnx_data` before a migration fails on it.
 */
import {closeSync, openSync, readFileSync, readSync, statSync} from 'node:fs';
import {createRequire} from 'node:module';
import type {onnx as OnnxNamespace} from 'onnx-proto';

const require = createRequire(import.meta.url);
const {onnx} = require('onnx-proto') as {onnx: typeof OnnxNamespace};

/** Graphs with external weights are small; larger files are only scanned, never decoded whole. */
const decodeLimitBytes = 64 * 2 ** 20;

export type OnnxFileReport =
	| {ok: true; externalData: Array<{location: string; requiredBytes: number}>}
	| {ok: false; problem: string};

/** Reads a protobuf varint at `position` from the file; undefined past the end. */
function readVarint(fd: number, position: number, size: number): {value: number; next: number} | undefined {
	const buffer = Buffer.alloc(10);
	const read = readSync(fd, buffer, 0, Math.min(10, size - position), position);
	let value = 0;
	for (let index = 0; index < read; index++) {
		value += (buffer[index]! & 0x7F) * 2 ** (7 * index);
		if ((buffer[index]! & 0x80) === 0) {
			return {value, next: position + index + 1};
		}
	}

	return undefined;
}

/** Walks the top-level fields of a ModelProto; a field running past the end means a cut-off file. */
function scanTopLevel(file: string, size: number): string | undefined {
	const fd = openSync(file, 'r');
	try {
		let position = 0;
		while (position < size) {
			const tag = readVarint(fd, position, size);
			if (!tag) {
				return `cut off at byte ${position} of ${size}`;
			}

			const wireType = tag.value % 8;
			if (wireType === 0) {
				const value = readVarint(fd, tag.next, size);
				if (!value) {
					return `cut off at byte ${tag.next} of ${size}`;
				}

				position = value.next;
			} else if (wireType === 2) {
				const length = readVarint(fd, tag.next, size);
				if (!length || length.next + length.value > size) {
					return `truncated: a field needs ${length ? length.next + length.value : '?'} bytes, the file has ${size}`;
				}

				position = length.next + length.value;
			} else {
				return `not an ONNX model (unexpected protobuf wire type ${wireType} at byte ${position})`;
			}
		}

		return undefined;
	} finally {
		closeSync(fd);
	}
}

/** The external-data files a decoded model names, with the bytes each must have at least. */
function externalDataOf(model: OnnxNamespace.ModelProto): Array<{location: string; requiredBytes: number}> {
	const needed = new Map<string, number>();
	for (const tensor of model.graph?.initializer ?? []) {
		if (tensor.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) {
			continue;
		}

		const entries = new Map((tensor.externalData ?? []).map(entry => [entry.key ?? '', entry.value ?? '']));
		const location = entries.get('location');
		if (location) {
			const end = Number(entries.get('offset') ?? 0) + Number(entries.get('length') ?? 0);
			needed.set(location, Math.max(needed.get(location) ?? 0, end));
		}
	}

	return [...needed].map(([location, requiredBytes]) => ({location, requiredBytes}));
}

/** Whether an .onnx file is whole, and the external data it needs (for graphs small enough to read). */
export function inspectOnnxFile(file: string): OnnxFileReport {
	const {size} = statSync(file);
	if (size === 0) {
		return {ok: false, problem: 'empty file'};
	}

	const cut = scanTopLevel(file, size);
	if (cut) {
		return {ok: false, problem: cut};
	}

	if (size > decodeLimitBytes) {
		return {ok: true, externalData: []};
	}

	try {
		return {ok: true, externalData: externalDataOf(onnx.ModelProto.decode(readFileSync(file)))};
	} catch (error) {
		return {ok: false, problem: `not an ONNX model (${(error as Error).message})`};
	}
}
