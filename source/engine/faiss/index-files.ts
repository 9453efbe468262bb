/** Reads and writes one channel's FAISS IndexFlatL2 and its mapping, in the PigPig layout. */
import {readFileSync, renameSync, rmSync} from 'node:fs';
import path from 'node:path';
import {AppError} from '../errors.js';
import {writeFileAtomic} from '../util/atomic-write.js';
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

/** Vectors added to FAISS per call: bounds the temporary JS number array faiss-node needs. */
const addChunkRows = 2048;

/**
 * Builds an IndexFlatL2 from row-major vectors and writes it with its mapping. Both files are
 * written under temporary names and renamed, so a reader never sees a half-written pair member.
 */
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

	const {IndexFlatL2} = loadFaiss();
	const index = new IndexFlatL2(dimension);
	for (let row = 0; row < messageIds.length; row += addChunkRows) {
		const end = Math.min(messageIds.length, row + addChunkRows);
		index.add(Array.from(vectors.subarray(row * dimension, end * dimension)));
	}

	const paths = channelIndexPaths(directory, channelId);
	const temporaryIndex = `${paths.index}.${process.pid}.tmp`;
	try {
		index.write(temporaryIndex);
		renameSync(temporaryIndex, paths.index);
	} finally {
		rmSync(temporaryIndex, {force: true});
	}

	writeFileAtomic(paths.mapping, encodeMapping(messageIds, dimension));
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
