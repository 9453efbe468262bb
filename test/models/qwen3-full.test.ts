import assert from 'node:assert/strict';
import {cpSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {corpusVocabularyText} from '../../source/demo/chat-corpus.js';
import {Embedder} from '../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../source/engine/embed/model-source.js';
import {generateQwen3FullModel, type Qwen3Architecture} from '../../source/models/qwen3-full.js';
import {qwen3TokenizerConfig} from '../../source/models/tiny-models.js';
import {buildByteLevelBpeTokenizer} from '../../source/models/tokenizer-json.js';
import {makeTempDir} from '../helpers/temp.js';

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((worst, value, index) => Math.max(worst, Math.abs(value - b[index]!)), 0);
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
const texts = ['a much longer text, so that every other row in this batch is padded a lot', 'hello world', 'x', '你好，今天天氣很好 👍'];

/**
 * The full-size generator's architecture at toy scale (the 0.6B one is generated on demand by the
 * bench, never here): real attention with RoPE, GQA and a causal + padding mask.
 */
describe('the full Qwen3 architecture stand-in, at toy scale', () => {
	const root = makeTempDir();
	const right = path.join(root, 'right');
	const left = path.join(root, 'left');
	const tokenizer = buildByteLevelBpeTokenizer(corpusVocabularyText());
	const architecture: Qwen3Architecture = {layers: 2, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128, vocab: tokenizer.vocabSize, ropeTheta: 1_000_000, rmsEps: 1e-6};
	const embedders: Embedder[] = [];
	const load = async (directory: string, dtype = 'fp32') => {
		const embedder = await Embedder.load({source: resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: directory, root, cacheDir: 'c'}), device: 'cpu', dtype});
		embedders.push(embedder);
		return embedder;
	};

	before(() => {
		const generated = generateQwen3FullModel(right, {
			architecture,
			writeTokenizer(directory) {
				writeFileSync(path.join(directory, 'tokenizer.json'), JSON.stringify(tokenizer.json));
				writeFileSync(path.join(directory, 'tokenizer_config.json'), JSON.stringify(qwen3TokenizerConfig));
				return {eosId: tokenizer.eosId};
			},
		});
		assert.deepEqual(generated.files.slice(3), ['onnx/model.onnx', 'onnx/model.onnx_data', 'onnx/model_quantized.onnx']);
		cpSync(right, left, {recursive: true});
		const config = JSON.parse(readFileSync(path.join(left, 'tokenizer_config.json'), 'utf8')) as object;
		writeFileSync(path.join(left, 'tokenizer_config.json'), JSON.stringify({...config, padding_side: 'left'}));
	});

	after(async () => {
		await Promise.all(embedders.map(async embedder => embedder.close()));
	});

	for (const side of ['right', 'left'] as const) {
		it(`is batch-invariant padded on the ${side} (max abs diff ≤ 1e-5)`, async () => {
			const embedder = await load(side === 'right' ? right : left);
			assert.equal(embedder.model.outputNames.length, 1 + 2 * architecture.layers);
			const batched = await embedder.embed(texts);
			for (const [index, text] of texts.entries()) {
				const [alone] = await embedder.embed([text]);
				assert.ok(maxAbsDiff(alone!, batched[index]!) <= 1e-5, `${text}: ${maxAbsDiff(alone!, batched[index]!)}`);
			}
		});
	}

	it('runs q8 (MatMulInteger) close to fp32', async () => {
		const [fp32, q8] = await Promise.all([load(right), load(right, 'q8')]);
		const expected = await fp32.embed(texts);
		const actual = await q8.embed(texts);
		for (const [index, vector] of actual.entries()) {
			assert.ok(cosine(vector, expected[index]!) > 0.95, `row ${index}: ${cosine(vector, expected[index]!)}`);
		}
	});
});
