import assert from 'node:assert/strict';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {decodeMapping, encodeMapping, MappingFormatError} from '../../../source/engine/faiss/mapping.js';
import {dumpPickle, loadPickle, PickleFormatError} from '../../../source/engine/faiss/pickle.js';
import {pickleWithPython, unpickleWithPython} from '../../helpers/python.js';
import {makeTempDir} from '../../helpers/temp.js';

describe('pickle', () => {
	it('writes a mapping that Python\'s pickle.load reads as the PigPig dict', () => {
		const file = path.join(makeTempDir(), 'c.mapping');
		const ids = ['1324050202755072005', '哈哈-id', ...Array.from({length: 2500}, (_value, index) => `m${index}`)];
		writeFileSync(file, encodeMapping(ids, 1024));
		const loaded = unpickleWithPython(file) as Record<string, unknown>;
		assert.equal(loaded.dimension, 1024);
		assert.equal(loaded.next_id, ids.length);
		assert.equal(loaded.index_type, 'Flat');
		assert.equal(loaded.metric, 'L2');
		const idMap = loaded.id_map as Record<string, string>;
		assert.equal(idMap['0'], '1324050202755072005');
		assert.equal(idMap['1'], '哈哈-id');
		assert.equal(Object.keys(idMap).length, ids.length);
		assert.equal((loaded.reverse_id_map as Record<string, number>)['m2499'], 2501);
	});

	it('reads mappings that Python writes with protocols 2 to 5', () => {
		for (const protocol of [2, 3, 4, 5]) {
			const file = path.join(makeTempDir(), `p${protocol}.mapping`);
			pickleWithPython(
				file,
				"{'id_map': {i: f'id{i}' for i in range(300)}, 'reverse_id_map': {f'id{i}': i for i in range(300)}, 'next_id': 300, 'dimension': 768, 'index_type': 'Flat', 'metric': 'L2'}",
				protocol,
			);
			const mapping = decodeMapping(readFileSync(file));
			assert.equal(mapping.idMap.length, 300);
			assert.equal(mapping.idMap[299], 'id299');
			assert.equal(mapping.dimension, 768);
		}
	});

	it('round-trips ints of every width, floats, None, bools, lists and nested dicts', () => {
		const value = new Map<string | number, unknown>([
			['small', 7],
			['two', 60_000],
			['negative', -5],
			['big', 2 ** 40],
			['huge', 2n ** 70n],
			['float', 2.5],
			['none', null],
			['yes', true],
			['list', [1, 'a', null]],
			[3, new Map([['x', 1]])],
		]);
		assert.deepEqual(loadPickle(dumpPickle(value as never)), value);
	});

	it('refuses pickles that would run code, and truncated ones', () => {
		const file = path.join(makeTempDir(), 'evil.pickle');
		pickleWithPython(file, '__import__("collections").OrderedDict()', 2);
		assert.throws(() => loadPickle(readFileSync(file)), (error: Error) => error instanceof PickleFormatError && /unsupported pickle opcode 0x[0-9a-f]+ at byte \d+/.test(error.message));
		assert.throws(() => loadPickle(dumpPickle('abc').subarray(0, 5)), /truncated/);
	});

	it('rejects a mapping with gaps in its positions', () => {
		const file = path.join(makeTempDir(), 'gap.mapping');
		pickleWithPython(file, "{'id_map': {0: 'a', 2: 'c'}, 'reverse_id_map': {'a': 0, 'c': 2}, 'next_id': 3, 'dimension': 4}");
		assert.throws(() => decodeMapping(readFileSync(file)), (error: Error) => error instanceof MappingFormatError && /id_map has no entry for position 1/.test(error.message));
	});
});
