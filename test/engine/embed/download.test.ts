import assert from 'node:assert/strict';
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {before, describe, it} from 'node:test';
import {downloadModelFiles, type DownloadProgress, type HubSource} from '../../../source/engine/embed/download.js';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {DiskFullError, ModelLoadError} from '../../../source/engine/errors.js';
import {checkModel} from '../../../source/engine/ops/model-availability.js';
import {generateQwen3TinyModel} from '../../../source/models/tiny-models.js';
import {startHubServer, type HubFaults, type HubServer} from '../../helpers/hub-server.js';
import {makeTempDir} from '../../helpers/temp.js';

const repository = 'onnx-community/Qwen3-Embedding-0.6B-ONNX';
const noSleep = async () => Promise.resolve();

describe('downloading a model from the hub', () => {
	const root = makeTempDir();
	const model = path.join(root, 'model');
	before(() => {
		generateQwen3TinyModel(model, {dimension: 16, dtypes: ['fp32', 'fp16', 'q8']});
	});

	/** A fresh cache and a hub stand-in with these faults; the source points at it as HF_ENDPOINT would. */
	const setUp = async (faults: HubFaults = {}): Promise<{hub: HubServer; source: HubSource; cache: string}> => {
		const hub = await startHubServer(model, repository, faults);
		const cacheDir = makeTempDir();
		const source = resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {root, cacheDir, env: {HF_ENDPOINT: hub.url.slice(0, -1)}}) as HubSource;
		return {hub, source, cache: path.join(cacheDir, repository)};
	};

	const same = (cache: string, file: string) => readFileSync(path.join(cache, file)).equals(readFileSync(path.join(model, file)));

	it('a 404 for a required file is a one-line error naming the file and the URL', async () => {
		const {hub, source} = await setUp({absent: ['tokenizer.json']});
		try {
			await assert.rejects(downloadModelFiles(source, 'fp16', {sleep: noSleep}), (error: Error) => {
				assert.ok(error instanceof ModelLoadError);
				assert.match(error.message, /^cannot download tokenizer\.json: http:\/\/127\.0\.0\.1:\d+\/onnx-community\/Qwen3-Embedding-0\.6B-ONNX\/resolve\/main\/tokenizer\.json answered 404 \(not found\)$/);
				assert.match(error.hint ?? '', /dtype \(fp16\)/);
				return true;
			});
		} finally {
			await hub.close();
		}
	});

	it('a cache volume without room for the files is the one-line disk-full error, before anything is fetched', async () => {
		const {hub, source, cache} = await setUp();
		try {
			await assert.rejects(downloadModelFiles(source, 'fp16', {freeDiskBytes: () => 1000}), (error: Error) => {
				assert.ok(error instanceof DiskFullError);
				assert.match(error.message, /^disk full on \S+: need about [\d.]+ KB more$/);
				assert.match(error.hint ?? '', /the model cache data\/memory\/models/);
				return true;
			});
			assert.equal(hub.requests.filter(request => request.method === 'GET').length, 0);
			assert.equal(existsSync(path.join(cache, 'config.json')), false);
		} finally {
			await hub.close();
		}
	});

	it('refuses a file served short, names it, and keeps no partial bytes', async () => {
		const {hub, source, cache} = await setUp({short: {file: 'onnx/model_fp16.onnx_data', bytes: 1000}});
		try {
			const size = statSync(path.join(model, 'onnx/model_fp16.onnx_data')).size;
			await assert.rejects(downloadModelFiles(source, 'fp16', {sleep: noSleep}), (error: Error) => {
				assert.ok(error instanceof ModelLoadError);
				assert.equal(error.message, `download refused: onnx/model_fp16.onnx_data arrived with 1000 of ${size} bytes (x-linked-size); the partial file was deleted`);
				return true;
			});
			assert.equal(existsSync(path.join(cache, 'onnx/model_fp16.onnx_data')), false);
			assert.equal(existsSync(path.join(cache, 'onnx/model_fp16.onnx_data.part')), false);
			const item = await checkModel('target', source, {dtype: 'fp16', device: 'cpu', timeoutMs: 500});
			assert.match(item.detail, /missing onnx\/model_fp16\.onnx_data/);
		} finally {
			await hub.close();
		}
	});

	it('refuses a file whose server copy differs in size from the hub\'s x-linked-size, before writing it', async () => {
		const {hub, source, cache} = await setUp({stale: {file: 'onnx/model_fp16.onnx', bytes: 700}});
		try {
			const size = statSync(path.join(model, 'onnx/model_fp16.onnx')).size;
			await assert.rejects(downloadModelFiles(source, 'fp16', {sleep: noSleep}), (error: Error) => {
				assert.equal(error.message, `download refused: onnx/model_fp16.onnx is 700 bytes on the server, but the hub announced ${size} (x-linked-size); the partial file was deleted`);
				return true;
			});
			assert.equal(existsSync(path.join(cache, 'onnx/model_fp16.onnx.part')), false);
		} finally {
			await hub.close();
		}
	});

	it('refuses an LFS file of the right size whose bytes do not match the hub\'s sha256 (x-linked-etag)', async () => {
		const {hub, source, cache} = await setUp({corrupt: 'onnx/model_fp16.onnx'});
		try {
			await assert.rejects(downloadModelFiles(source, 'fp16', {sleep: noSleep}), (error: Error) => {
				assert.match(error.message, /^download refused: onnx\/model_fp16\.onnx does not match the hub's sha256 [\da-f]{12}… \(x-linked-etag\); the partial file was deleted$/);
				return true;
			});
			assert.equal(existsSync(path.join(cache, 'onnx/model_fp16.onnx')), false);
			assert.equal(existsSync(path.join(cache, 'onnx/model_fp16.onnx.part')), false);
		} finally {
			await hub.close();
		}
	});

	it('resumes an interrupted download with a Range request from the partial size, bytes identical', async () => {
		const file = 'onnx/model_fp16.onnx_data';
		const {hub, source, cache} = await setUp({dropOnce: {file, bytes: 5000}});
		try {
			// First run: no retries, so the dropped connection ends it with the part file left behind.
			await assert.rejects(downloadModelFiles(source, 'fp16', {retries: 0, sleep: noSleep}), (error: Error) => {
				assert.match(error.message, /^cannot download onnx\/model_fp16\.onnx_data from http:\S+: .+ \(gave up after 0 retries at 5000 bytes\)$/);
				return true;
			});
			assert.equal(statSync(path.join(cache, `${file}.part`)).size, 5000);
			const item = await checkModel('target', source, {dtype: 'fp16', device: 'cpu', timeoutMs: 500});
			assert.match(item.detail, /^incomplete \(onnx\/model_fp16\.onnx_data partly downloaded: 5000 of \d+ bytes \(\.part\)\)/);

			const outcome = await downloadModelFiles(source, 'fp16', {sleep: noSleep});
			assert.deepEqual(outcome.fetched, [file]);
			// Each GET is asked at resolve/main and followed to the CDN; both must carry the range.
			const ranged = hub.requests.filter(request => request.method === 'GET' && request.file === file && request.range && request.cdn);
			assert.deepEqual(ranged.map(request => request.range), ['bytes=5000-']);
			assert.ok(same(cache, file));
			assert.equal(existsSync(path.join(cache, `${file}.part`)), false);
		} finally {
			await hub.close();
		}
	});

	it('a server that ignores Range is read past the bytes already on disk: same file, progress never goes back', async () => {
		const file = 'onnx/model_fp16.onnx_data';
		const {hub, source, cache} = await setUp({ignoreRange: true});
		mkdirSync(path.join(cache, 'onnx'), {recursive: true});
		writeFileSync(path.join(cache, `${file}.part`), readFileSync(path.join(model, file)).subarray(0, 4000));
		const progress: DownloadProgress[] = [];
		try {
			await downloadModelFiles(source, 'fp16', {onProgress: event => progress.push(event), progressIntervalMs: 0});
			assert.ok(same(cache, file));
			const dataEvents = progress.filter(event => event.file === file);
			assert.equal(dataEvents[0]!.fileBytes, 4000, 'starts from the part file');
			assert.ok(dataEvents.every((event, index) => index === 0 || event.fileBytes >= dataEvents[index - 1]!.fileBytes));
		} finally {
			await hub.close();
		}
	});

	it('a connection dropped mid-file is retried within the same run, resuming where it stopped', async () => {
		const file = 'onnx/model_fp16.onnx_data';
		const {hub, source, cache} = await setUp({dropOnce: {file, bytes: 3000}});
		const waits: number[] = [];
		try {
			await downloadModelFiles(source, 'fp16', {sleep: async ms => {
				waits.push(ms);
				return Promise.resolve();
			}});
			assert.deepEqual(hub.requests.filter(request => request.method === 'GET' && request.file === file && request.cdn).map(request => request.range), [undefined, 'bytes=3000-']);
			assert.deepEqual(waits, [1000]);
			assert.ok(same(cache, file));
		} finally {
			await hub.close();
		}
	});

	it('fetches exactly what the dtype needs, reports monotonic progress ending at the total, then loads offline from the cache', async () => {
		const {hub, source, cache} = await setUp();
		const progress: DownloadProgress[] = [];
		let outcome;
		try {
			outcome = await downloadModelFiles(source, 'fp16', {onProgress: event => progress.push(event), progressIntervalMs: 0});
		} finally {
			await hub.close();
		}

		const expected = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_fp16.onnx', 'onnx/model_fp16.onnx_data'];
		assert.deepEqual(outcome.fetched, expected);
		assert.deepEqual([...new Set(hub.requests.map(request => request.file))].sort(), [...expected].sort());
		for (const file of expected) {
			assert.ok(same(cache, file), `${file} identical`);
		}

		const total = expected.reduce((sum, file) => sum + statSync(path.join(model, file)).size, 0);
		assert.equal(outcome.bytes, total);
		for (const [index, event] of progress.entries()) {
			assert.equal(event.totalBytes, total);
			assert.ok(index === 0 || event.bytes >= progress[index - 1]!.bytes, `progress went back at ${index}`);
		}

		assert.deepEqual(progress.at(-1), {...progress.at(-1), bytes: total, done: true, file: 'onnx/model_fp16.onnx_data', fileIndex: 5, files: 5});
		assert.equal(progress.filter(event => event.done).length, 1);

		// The hub is gone: transformers.js must find everything in the cache it reads.
		const embedder = await Embedder.load({source, device: 'cpu', dtype: 'fp16'});
		try {
			assert.equal(embedder.dimension, 16);
			assert.equal((await embedder.embed(['hello'])).length, 1);
		} finally {
			await embedder.close();
		}
	});

	it('a single-file dtype fetches no external data (the hub answers 404 for it), and a complete cache asks nothing', async () => {
		const {hub, source} = await setUp();
		try {
			const first = await downloadModelFiles(source, 'q8');
			assert.deepEqual(first.fetched, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']);
			assert.ok(hub.requests.some(request => request.method === 'HEAD' && request.file === 'onnx/model_quantized.onnx_data'));
			const asked = hub.requests.length;
			const again = await downloadModelFiles(source, 'q8');
			assert.deepEqual(again.fetched, []);
			assert.equal(hub.requests.length, asked);
		} finally {
			await hub.close();
		}
	});

	it('Embedder.load downloads a hub model first and reports the progress', async () => {
		const {hub, source} = await setUp();
		const progress: DownloadProgress[] = [];
		try {
			const embedder = await Embedder.load({source, device: 'cpu', dtype: 'fp32', onDownload: event => progress.push(event)});
			await embedder.close();
		} finally {
			await hub.close();
		}

		assert.ok(progress.length > 0);
		assert.equal(progress.at(-1)!.done, true);
		assert.ok(hub.requests.some(request => request.file === 'onnx/model.onnx_data'));
	});
});
