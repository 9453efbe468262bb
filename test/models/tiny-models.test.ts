import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {Embedder} from '../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../source/engine/embed/model-source.js';
import {generateBertTinyModel, generateQwen3TinyModel} from '../../source/models/tiny-models.js';
import {makeTempDir} from '../helpers/temp.js';

const hostileTexts = ['', '哈哈哈 今天天氣很好', '👍🐷🔥 emoji only', '\u001b[31mred\u001b[0m', 'nul\u0000inside', '\uD800 lone surrogate', 'x'.repeat(5000), '\t\n\r'];

describe('generated models', () => {
	const root = makeTempDir();
	let qwen: Embedder;
	let bert: Embedder;

	before(async () => {
		generateQwen3TinyModel(path.join(root, 'qwen'), {dimension: 32});
		generateBertTinyModel(path.join(root, 'bert'), {dimension: 24});
		qwen = await Embedder.load({source: resolveModelSource('q', {localPath: 'qwen', root, cacheDir: 'c'}), maxTokens: 64});
		bert = await Embedder.load({source: resolveModelSource('b', {localPath: 'bert', root, cacheDir: 'c'}), maxTokens: 64});
	});

	after(async () => {
		await qwen.close();
		await bert.close();
	});

	it('are in Hugging Face layout', () => {
		for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
			assert.ok(existsSync(path.join(root, 'qwen', name)), name);
			assert.ok(existsSync(path.join(root, 'bert', name)), name);
		}

		assert.ok(existsSync(path.join(root, 'qwen', 'onnx/model.onnx_data')), 'fp32 weights as external data, as in the real export');
		const qwenTokenizerConfig = JSON.parse(readFileSync(path.join(root, 'qwen', 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
		assert.equal('padding_side' in qwenTokenizerConfig, false, 'the real tokenizer_config has no padding_side');
		assert.equal(qwenTokenizerConfig.eos_token, '<|im_end|>');
		assert.equal(qwenTokenizerConfig.pad_token, '<|endoftext|>');
		const qwenConfig = JSON.parse(readFileSync(path.join(root, 'qwen', 'config.json'), 'utf8')) as Record<string, unknown>;
		assert.equal(qwenConfig.model_type, 'qwen3');
		assert.equal(qwenConfig.num_hidden_layers, 28);
		assert.equal(qwenConfig.num_key_value_heads, 8);
		assert.equal(qwenConfig.head_dim, 128);
		assert.equal('use_external_data_format' in qwenConfig, false);
	});

	it('are reproducible from their seed', () => {
		const again = makeTempDir();
		generateQwen3TinyModel(again, {dimension: 32});
		for (const file of ['onnx/model.onnx', 'onnx/model.onnx_data']) {
			assert.deepEqual(readFileSync(path.join(again, file)), readFileSync(path.join(root, 'qwen', file)));
		}
	});

	it('tokenize any Unicode without throwing and embed it to unit vectors', async () => {
		for (const embedder of [qwen, bert]) {
			const vectors = await embedder.embed(hostileTexts);
			assert.equal(vectors.length, hostileTexts.length);
			for (const vector of vectors.slice(1)) {
				const norm = Math.hypot(...vector);
				assert.ok(Math.abs(norm - 1) < 1e-4, `norm ${norm}`);
			}
		}
	});

	it('append EOS through the qwen3 tokenizer post-processor and pad on the right (no padding_side)', async () => {
		const batch = await qwen.tokenizeAsync(['hi', 'a longer text here']);
		const eos = batch.inputIds[2 * batch.sequenceLength - 1];
		const shortLength = batch.tokenCounts[0]!;
		assert.equal(batch.inputIds[shortLength - 1], eos, 'the short row ends in EOS before its padding');
		assert.equal(batch.attentionMask[batch.sequenceLength - 1], 0n, 'the short row is padded on the right');
		assert.equal(batch.attentionMask[0], 1n);
	});

	it('make last-token pooling depend on the text and mean pooling on all tokens', async () => {
		const [a, b] = await qwen.embed(['good morning everyone', 'good morning']);
		const similarity = a!.reduce((sum, value, index) => sum + value * b![index]!, 0);
		assert.ok(similarity < 0.9999, 'different texts give different vectors');
		const [c, d] = await bert.embed(['good morning', 'good morning']);
		assert.deepEqual(c, d);
	});
});
