/** PigPig's `<channel_id>.mapping`: a pickled dict tying FAISS positions to message ids. */
import {dumpPickle, loadPickle, type PickleKey, type PickleValue} from './pickle.js';

export type ChannelMapping = {
	/** FAISS position (0..n-1, insertion order) → message_id. */
	idMap: string[];
	dimension: number;
	indexType: string;
	metric: string;
	nextId: number;
};

export function encodeMapping(messageIds: readonly string[], dimension: number): Buffer {
	const idMap = new Map<PickleKey, PickleValue>(messageIds.map((id, position) => [position, id]));
	const reverse = new Map<PickleKey, PickleValue>(messageIds.map((id, position) => [id, position]));
	const dict = new Map<PickleKey, PickleValue>([
		['id_map', idMap],
		['reverse_id_map', reverse],
		['next_id', messageIds.length],
		['dimension', dimension],
		['index_type', 'Flat'],
		['metric', 'L2'],
	]);
	return dumpPickle(dict);
}

export class MappingFormatError extends Error {}

/** Decodes and checks a mapping: positions 0..n-1 with no gaps, reverse map consistent. */
export function decodeMapping(data: Buffer): ChannelMapping {
	const root = loadPickle(data);
	if (!(root instanceof Map)) {
		throw new MappingFormatError('expected a dict at the top level');
	}

	const idMapValue = root.get('id_map');
	if (!(idMapValue instanceof Map)) {
		throw new MappingFormatError('id_map is missing or not a dict');
	}

	const idMap: string[] = [];
	for (const [position, messageId] of idMapValue) {
		if (typeof position !== 'number' || typeof messageId !== 'string') {
			throw new MappingFormatError(`id_map entry ${String(position)} is not int → str`);
		}

		idMap[position] = messageId;
	}

	for (let position = 0; position < idMap.length; position++) {
		if (idMap[position] === undefined) {
			throw new MappingFormatError(`id_map has no entry for position ${position}`);
		}
	}

	const reverse = root.get('reverse_id_map');
	if (reverse instanceof Map) {
		for (const [position, messageId] of idMap.entries()) {
			if (reverse.get(messageId) !== position) {
				throw new MappingFormatError(`reverse_id_map disagrees with id_map for ${messageId}`);
			}
		}
	}

	const dimension = root.get('dimension');
	const indexType = root.get('index_type');
	const metric = root.get('metric');
	return {
		idMap,
		dimension: typeof dimension === 'number' ? dimension : 0,
		indexType: typeof indexType === 'string' ? indexType : 'Flat',
		metric: typeof metric === 'string' ? metric : 'L2',
		nextId: typeof root.get('next_id') === 'number' ? (root.get('next_id') as number) : idMap.length,
	};
}
