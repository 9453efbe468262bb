/** Loads faiss-node (a CommonJS native module) with an error that says how to build it. */
import {createRequire} from 'node:module';
import type * as FaissNode from 'faiss-node';
import {AppError} from '../errors.js';

const require = createRequire(import.meta.url);

let loaded: typeof FaissNode | undefined;

export function loadFaiss(): typeof FaissNode {
	if (!loaded) {
		try {
			loaded = require('faiss-node') as typeof FaissNode;
		} catch (error) {
			throw new AppError('native-module', `faiss-node failed to load: ${(error as Error).message.split('\n')[0]}`, {
				hint: 'build it: apt-get install libfaiss-dev libblas-dev liblapack-dev && npm rebuild faiss-node && node scripts/build-faiss-node.mjs',
				cause: error,
			});
		}
	}

	return loaded;
}
