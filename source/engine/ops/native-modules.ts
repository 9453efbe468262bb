/** Loads each native dependency and reports its version (and onnxruntime's execution providers). */
import {existsSync, readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {cudaStatus} from '../embed/devices.js';
import {loadFaiss} from '../faiss/faiss-node.js';
import type {ReportItem} from './report.js';

const require = createRequire(import.meta.url);

/** A dependency's version, found from its entry point (some packages do not export package.json). */
export function packageVersion(name: string): string | undefined {
	try {
		let directory = path.dirname(require.resolve(name));
		while (directory !== path.dirname(directory)) {
			const file = path.join(directory, 'package.json');
			if (existsSync(file)) {
				const manifest = JSON.parse(readFileSync(file, 'utf8')) as {name?: string; version?: string};
				if (manifest.name === name) {
					return manifest.version;
				}
			}

			directory = path.dirname(directory);
		}
	} catch {
		// Not installed.
	}

	return undefined;
}

function firstLine(error: unknown): string {
	return ((error as Error).message ?? String(error)).split('\n')[0]!;
}

export function checkNativeModules(): ReportItem[] {
	const items: ReportItem[] = [];
	try {
		const Database = require('better-sqlite3') as new (file: string) => {prepare: (sql: string) => {pluck: () => {get: () => unknown}}; close: () => void};
		const db = new Database(':memory:');
		const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string;
		db.close();
		items.push({id: 'better-sqlite3', status: 'ok', title: 'better-sqlite3', detail: `${packageVersion('better-sqlite3')} (SQLite ${sqlite})`});
	} catch (error) {
		items.push({id: 'better-sqlite3', status: 'fail', title: 'better-sqlite3', detail: `does not load: ${firstLine(error)}`, fix: 'npm rebuild better-sqlite3 (needs g++, make, python3)'});
	}

	try {
		const faiss = loadFaiss();
		const index = new faiss.IndexFlatL2(2);
		index.add([1, 0]);
		items.push({id: 'faiss-node', status: 'ok', title: 'faiss-node', detail: `${packageVersion('faiss-node')} (IndexFlatL2 works)`});
	} catch (error) {
		items.push({
			id: 'faiss-node',
			status: 'fail',
			title: 'faiss-node',
			detail: `does not load: ${firstLine(error)}`,
			fix: 'apt-get install libfaiss-dev libopenblas-dev liblapack-dev && node scripts/build-faiss-node.mjs',
		});
	}

	try {
		const ort = require('onnxruntime-node') as {listSupportedBackends?: () => Array<{name: string}>};
		const cuda = cudaStatus();
		const providers = ['cpu', ...(cuda.available ? ['cuda'] : [])];
		items.push({
			id: 'onnxruntime-node',
			status: 'ok',
			title: 'onnxruntime-node',
			detail: `${packageVersion('onnxruntime-node')}, execution providers: ${providers.join(', ')}${cuda.available ? '' : ` (CUDA: ${cuda.reason})`}`,
		});
		void ort;
	} catch (error) {
		items.push({id: 'onnxruntime-node', status: 'fail', title: 'onnxruntime-node', detail: `does not load: ${firstLine(error)}`, fix: 'ONNXRUNTIME_NODE_INSTALL=skip npm rebuild onnxruntime-node'});
	}

	const transformers = packageVersion('@huggingface/transformers');
	items.push(
		transformers
			? {id: 'transformers', status: 'ok', title: '@huggingface/transformers', detail: transformers}
			: {id: 'transformers', status: 'fail', title: '@huggingface/transformers', detail: 'not installed', fix: 'npm ci'},
	);
	return items;
}
