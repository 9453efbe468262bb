import assert from 'node:assert/strict';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {Embedder} from '../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../source/engine/embed/model-source.js';
import {generateBertTinyModel, generateQwen3TinyModel} from '../../source/models/tiny-models.js';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe('embedder on generated models', () => {
	const root = mkdtempSync(path.join(tmpdir(), 'embedder-'));
	let qwen: Embedder;
	let bert: Embedder;

	before(async () => {
		generateQwen3TinyModel(path.join(root, 'qwen'));
		generateBertTinyModel(path.join(root, 'bert'));
		qwen = await Embedder.load({source: resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: 'qwen', root, cacheDir: 'cache'}), maxTokens: 16});
		bert = await Embedder.load({source: resolveModelSource('old', {localPath: 'bert', root, cacheDir: 'cache'})});
	});

	after(async () => {
		await qwen.close();
		await bert.close();
	});

	it('reads pooling and dimension from the model', () => {
		assert.equal(qwen.pooling, 'last_token');
		assert.equal(qwen.dimension, 64);
		assert.equal(bert.pooling, 'mean');
		assert.equal(bert.dimension, 48);
	});

	it('gives a batch-invariant vector on the qwen3-type model', async () => {
		const [single] = await qwen.embed(['hello world']);
		const batched = await qwen.embed(['a much longer text that makes the others pad a lot', 'hello world', 'x']);
		assert.ok(cosine(single!, batched[1]!) >= 0.9999);
	});

	it('truncates to the token budget and keeps EOS last', async () => {
		const batch = await qwen.tokenizeAsync(['word '.repeat(100)]);
		assert.equal(batch.truncatedCount, 1);
		assert.equal(batch.sequenceLength, 16);
		const eos = (await qwen.tokenizeAsync([''])).inputIds.at(-1);
		assert.equal(batch.inputIds.at(-1), eos);
	});
});
