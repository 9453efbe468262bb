import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {resolveModelSource, type ModelSource} from '../../../source/engine/embed/model-source.js';
import {openRemoteBackend} from '../../../source/engine/remote/open-backend.js';
import {serveWorkspace, type ServingWorkspace} from '../../../source/engine/serve/serve-workspace.js';
import {startEmbeddingServer} from '../../../source/engine/serve/server.js';
import {openWorkspace} from '../../../source/engine/workspace.js';
import {demoWorkspace} from '../../helpers/workspace.js';

const texts = ['hello world', '今天的天氣很好，我們去散步吧。', 'ok', 'a longer message about the migration of vectors to a new model, with some more words', '🙂🙂 emoji'];

function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
	assert.equal(a.length, b.length);
	return Math.max(...a.flatMap((vector, row) => Array.from(vector, (value, index) => Math.abs(value - b[row]![index]!))));
}

async function postEmbeddings(url: string, body: unknown): Promise<{status: number; json: {data: Array<{index: number; embedding: number[]}>; error?: {message: string}}}> {
	const response = await fetch(`${url}/embeddings`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
	return {status: response.status, json: (await response.json()) as never};
}

describe('serve on a generated demo model', () => {
	let serving: ServingWorkspace;
	let local: Embedder;
	let source: ModelSource;

	before(async () => {
		const paths = await demoWorkspace();
		const workspace = openWorkspace(paths.root);
		const {migration} = workspace.memory;
		source = resolveModelSource(migration.target_model, {localPath: migration.target_model_path, root: paths.root, cacheDir: migration.model_cache_dir});
		serving = await serveWorkspace(workspace, {port: 0, device: 'cpu'});
		local = await Embedder.load({source, device: 'cpu', maxTokens: migration.max_tokens, textRule: 'raw'});
	});

	after(async () => {
		await serving.close();
		await local.close();
	});

	it('answers /health and /v1/models on localhost only', async () => {
		assert.match(serving.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
		const health = (await (await fetch(serving.url.replace(/\/v1$/, '/health'))).json()) as {status: string; dimension: number};
		assert.deepEqual([health.status, health.dimension], ['ok', 48]);
		const models = (await (await fetch(`${serving.url}/models`)).json()) as {data: Array<{id: string}>};
		assert.deepEqual(models.data.map(model => model.id), ['Qwen/Qwen3-Embedding-0.6B']);
		const wrongModel = await postEmbeddings(serving.url, {model: 'other', input: ['x']});
		assert.equal(wrongModel.status, 404);
		assert.match(wrongModel.json.error!.message, /does not exist; this server serves Qwen\/Qwen3-Embedding-0\.6B/);
	});

	it('gives through the remote backend the vectors the local model gives (max abs diff ≤ 1e-4)', async () => {
		const {backend} = await openRemoteBackend({endpoints: [serving.url], targetModel: 'Qwen/Qwen3-Embedding-0.6B', expectedDimension: local.dimension, reference: local, maxTokens: 512, tokenizerSource: source});
		try {
			const remote = await backend.embed(texts);
			const expected = await local.embed(texts);
			assert.ok(maxAbsDiff(remote, expected) <= 1e-4, `max abs diff ${maxAbsDiff(remote, expected)}`);
		} finally {
			await backend.close();
		}
	});

	it('batches concurrent requests together and answers each with its own vectors', async () => {
		let modelCalls = 0;
		const counting = {...local, modelId: local.modelId, dimension: local.dimension, device: local.device, encodeAsync: local.encodeAsync.bind(local), padEncoded: local.padEncoded.bind(local), embedBatch: async (batch: Parameters<Embedder['embedBatch']>[0]) => (modelCalls++, local.embedBatch(batch))};
		const server = await startEmbeddingServer({model: counting, port: 0, maxBatchTokens: 4096, maxRows: 64, shutdownGraceMs: 1000});
		const answers = await Promise.all(texts.map(async text => postEmbeddings(server.url, {input: [text, `${text}!`], encoding_format: 'float'})));
		await server.close();
		assert.ok(modelCalls < texts.length, `${texts.length} requests took ${modelCalls} model calls`);
		const expected = await local.embed(texts.flatMap(text => [text, `${text}!`]));
		const received = answers.flatMap(answer => answer.json.data.map(item => Float32Array.from(item.embedding)));
		assert.ok(maxAbsDiff(received, expected) <= 1e-4);
	});

	it('embeds what it is sent, and applies the bot\'s rule only with --bot-preprocess', async () => {
		const raw = '  hello \n\n  world  ';
		const plain = await postEmbeddings(serving.url, {input: raw});
		const botServer = await startEmbeddingServer({model: local, port: 0, botPreprocess: true, maxBatchTokens: 2048, maxRows: 32});
		try {
			const preprocessed = await postEmbeddings(botServer.url, {input: raw});
			const [asSent, asBot] = await local.embed([raw, 'hello world']);
			assert.ok(maxAbsDiff([Float32Array.from(plain.json.data[0]!.embedding)], [asSent!]) <= 1e-4);
			assert.ok(maxAbsDiff([Float32Array.from(preprocessed.json.data[0]!.embedding)], [asBot!]) <= 1e-4);
			assert.ok(maxAbsDiff([asSent!], [asBot!]) > 1e-3, 'the two texts embed differently, so the test can tell');
		} finally {
			await botServer.close();
		}
	});
});
