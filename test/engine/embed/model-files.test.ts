import assert from 'node:assert/strict';
import {cpSync, readFileSync, rmSync, truncateSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {checkModel} from '../../../source/engine/ops/model-availability.js';
import {generateQwen3TinyModel} from '../../../source/models/tiny-models.js';
import {makeTempDir} from '../../helpers/temp.js';

describe('model files by dtype', () => {
	const root = makeTempDir();
	const model = path.join(root, 'model');
	const copy = (name: string) => {
		const directory = path.join(root, name);
		cpSync(model, directory, {recursive: true});
		return directory;
	};

	const local = (directory: string) => resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: directory, root, cacheDir: 'cache'});

	before(() => {
		generateQwen3TinyModel(model, {dimension: 16, dtypes: ['fp32', 'fp16', 'q8']});
	});

	it('check names the graph and its external data when the dtype is complete', async () => {
		const fp16 = await checkModel('target', local(model), {dtype: 'fp16', device: 'cpu'});
		assert.equal(fp16.status, 'ok');
		assert.match(fp16.detail, /onnx\/model_fp16\.onnx \+ onnx\/model_fp16\.onnx_data/);
		const q8 = await checkModel('target', local(model), {dtype: 'q8', device: 'cpu'});
		assert.equal(q8.status, 'ok');
		assert.match(q8.detail, /onnx\/model_quantized\.onnx,/);
	});

	it('check names a missing .onnx_data file', async () => {
		const directory = copy('no-data');
		rmSync(path.join(directory, 'onnx/model.onnx_data'));
		const item = await checkModel('target', local(directory), {dtype: 'fp32', device: 'cpu'});
		assert.equal(item.status, 'fail');
		assert.match(item.detail, /missing onnx\/model\.onnx_data/);
	});

	it('check names a truncated external-data file and a truncated single-file graph', async () => {
		const directory = copy('truncated');
		truncateSync(path.join(directory, 'onnx/model_fp16.onnx_data'), 1000);
		const fp16 = await checkModel('target', local(directory), {dtype: 'fp16', device: 'cpu'});
		assert.equal(fp16.status, 'fail');
		assert.match(fp16.detail, /onnx\/model_fp16\.onnx_data truncated: 1000 of \d+ bytes/);
		const graph = path.join(directory, 'onnx/model_quantized.onnx');
		truncateSync(graph, Math.floor(readFileSync(graph).length / 2));
		const q8 = await checkModel('target', local(directory), {dtype: 'q8', device: 'cpu'});
		assert.equal(q8.status, 'fail');
		assert.match(q8.detail, /onnx\/model_quantized\.onnx truncated/);
	});

	it('never calls a cache with only config.json and the tokenizer "cached"', async () => {
		const cacheDir = path.join(root, 'cache');
		const entry = path.join(cacheDir, 'onnx-community/Qwen3-Embedding-0.6B-ONNX');
		cpSync(path.join(model, 'config.json'), path.join(entry, 'config.json'));
		cpSync(path.join(model, 'tokenizer.json'), path.join(entry, 'tokenizer.json'));
		const source = resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {root, cacheDir: 'cache', endpoint: 'http://127.0.0.1:9/', env: {}});
		const item = await checkModel('target', source, {dtype: 'fp16', device: 'cpu', timeoutMs: 500});
		assert.equal(item.status, 'fail');
		assert.doesNotMatch(item.detail, /\bcached\b|\bavailable\b/);
		assert.match(item.detail, /partly downloaded \(missing tokenizer_config\.json, onnx\/model_fp16\.onnx, onnx\/model_fp16\.onnx_data\)/);
	});

	describe('a hub download', () => {
		let server: Server;
		const requested: string[] = [];
		before(async () => {
			// A local stand-in for the hub (or its mirror): {repo}/resolve/main/{file}, HEAD and GET.
			server = createServer((request, response) => {
				const match = /^\/onnx-community\/Qwen3-Embedding-0\.6B-ONNX\/resolve\/main\/(.+)$/.exec(request.url ?? '');
				const file = match ? path.join(model, decodeURIComponent(match[1]!)) : '';
				try {
					const body = readFileSync(file);
					requested.push(`${request.method} ${match![1]}`);
					response.writeHead(200, {'content-length': body.length});
					response.end(request.method === 'HEAD' ? undefined : body);
				} catch {
					response.writeHead(404).end();
				}
			});
			await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		});

		after(() => {
			server.close();
		});

		it('fetches the external data the fp16 graph needs, although config.json does not mention it', async () => {
			const config = JSON.parse(readFileSync(path.join(model, 'config.json'), 'utf8')) as Record<string, unknown>;
			assert.equal('use_external_data_format' in config, false);
			const cacheDir = makeTempDir();
			const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
			const source = resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {root, cacheDir, endpoint, env: {}});
			const embedder = await Embedder.load({source, device: 'cpu', dtype: 'fp16'});
			try {
				assert.equal(embedder.dimension, 16);
				assert.ok(requested.includes('GET onnx/model_fp16.onnx_data'), requested.join(', '));
				const item = await checkModel('target', source, {dtype: 'fp16', device: 'cpu'});
				assert.equal(item.status, 'ok', item.detail);
			} finally {
				await embedder.close();
			}
		});
	});
});
