/** Reads and writes one channel's FAISS IndexFlatL2 and its mapping, in the PigPig layout. */
import {readFileSync, renameSync, rmSync} from 'node:fs';
import path from 'node:path';
import {AppError} from '../errors.js';
import {writeFileAtomic} from '../util/atomic-write.js';
import {freeDiskBytes} from '../util/disk.js';
import {loadFaiss} from './faiss-node.js';
import {decodeMapping, encodeMapping, type ChannelMapping} from './mapping.js';

const safeStem = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** The file name stem for a channel; ids that could escape the directory are refused. */
export function channelFileStem(channelId: string): string {
	if (!safeStem.test(channelId) || channelId.includes('..')) {
		throw new AppError('index', `channel id ${JSON.stringify(channelId)} is not a safe file name`, {
			hint: 'PigPig names index files after Discord channel ids (digits); fix or remove this channel row',
		});
	}

	return channelId;
}

export function channelIndexPaths(directory: string, channelId: string): {index: string; mapping: string} {
	const stem = channelFileStem(channelId);
	return {index: path.join(directory, `${stem}.index`), mapping: path.join(directory, `${stem}.mapping`)};
}

/**
 * Vectors added to FAISS per call: faiss-node takes a plain JS number array (8 bytes a value, plus
 * its own copy), so small chunks keep the peak memory of an index build close to the index itself.
 */
const addChunkRows = 256;

/**
 * Builds one channel's IndexFlatL2 from vectors streamed in, holding at most one chunk outside
 * FAISS, then writes it with its mapping. Positions are insertion order (faiss-node has no
 * add_with_ids), which is exactly PigPig's id_map.
 */
export class ChannelIndexBuilder {
	private readonly index;
	private readonly chunk: Float32Array;
	private chunkRows = 0;
	private readonly ids: string[] = [];

	constructor(readonly dimension: number) {
		const {IndexFlatL2} = loadFaiss();
		this.index = new IndexFlatL2(dimension);
		this.chunk = new Float32Array(addChunkRows * dimension);
	}

	get count(): number {
		return this.ids.length;
	}

	add(messageId: string, vector: Float32Array): void {
		if (vector.length !== this.dimension) {
			throw new AppError('index', `vector of ${messageId} has ${vector.length} dimensions, expected ${this.dimension}`);
		}

		this.chunk.set(vector, this.chunkRows * this.dimension);
		this.chunkRows++;
		this.ids.push(messageId);
		if (this.chunkRows === addChunkRows) {
			this.flush();
		}
	}

	/** Writes `<channel>.index` and `<channel>.mapping`, each under a temporary name then renamed. */
	write(directory: string, channelId: string): void {
		this.flush();
		const paths = channelIndexPaths(directory, channelId);
		assertRoomFor(directory, this.count, this.dimension);
		const temporaryIndex = `${paths.index}.${process.pid}.tmp`;
		try {
			this.index.write(temporaryIndex);
			renameSync(temporaryIndex, paths.index);
		} finally {
			rmSync(temporaryIndex, {force: true});
		}

		writeFileAtomic(paths.mapping, encodeMapping(this.ids, this.dimension));
	}

	private flush(): void {
		if (this.chunkRows > 0) {
			this.index.add(Array.from(this.chunk.subarray(0, this.chunkRows * this.dimension)));
			this.chunkRows = 0;
		}
	}
}

/**
 * FAISS's writer does not survive a full disk gracefully (a native abort), so the space for both
 * files is checked first and a shortfall is an ENOSPC error the engine turns into a clean stop.
 */
function assertRoomFor(directory: string, count: number, dimension: number): void {
	// The index: a ~100-byte header and the vectors; the mapping: ~64 bytes a message; plus a safety margin.
	const needed = 100 + count * dimension * 4 + count * 64 + 1024 * 1024;
	const free = freeDiskBytes(directory);
	if (free < needed) {
		const error = new Error(`ENOSPC: no space left on device: ${directory} has ${free} bytes free, the channel's index needs ${needed}`) as Error & {code: string};
		error.code = 'ENOSPC';
		throw error;
	}
}

/** Builds and writes a channel's index from row-major vectors already in memory. */
export function writeChannelIndex(
	directory: string,
	channelId: string,
	messageIds: readonly string[],
	vectors: Float32Array,
	dimension: number,
): void {
	if (vectors.length !== messageIds.length * dimension) {
		throw new AppError('index', `channel ${channelId}: ${vectors.length} floats for ${messageIds.length} × ${dimension}`);
	}

	const builder = new ChannelIndexBuilder(dimension);
	for (const [row, messageId] of messageIds.entries()) {
		builder.add(messageId, vectors.subarray(row * dimension, (row + 1) * dimension));
	}

	builder.write(directory, channelId);
}

export type LoadedChannelIndex = {
	ntotal: number;
	dimension: number;
	mapping: ChannelMapping;
	search: (query: Float32Array, k: number) => {labels: number[]; distances: number[]};
};

export function readChannelIndex(directory: string, channelId: string): LoadedChannelIndex {
	const paths = channelIndexPaths(directory, channelId);
	const {IndexFlatL2} = loadFaiss();
	const index = IndexFlatL2.read(paths.index);
	const mapping = decodeMapping(readFileSync(paths.mapping));
	return {
		ntotal: index.ntotal(),
		dimension: index.getDimension(),
		mapping,
		search(query, k) {
			const result = index.search(Array.from(query), Math.min(k, index.ntotal()));
			return {labels: result.labels, distances: result.distances};
		},
	};
}
