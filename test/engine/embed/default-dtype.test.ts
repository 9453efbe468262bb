import assert from 'node:assert/strict';
import {cpSync, rmSync} from 'node:fs';
import path from 'node:path';
import {before, describe, it} from 'node:test';
import {resolveDtype} from '../../../source/engine/embed/devices.js';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {checkModel} from '../../../source/engine/ops/model-availability.js';
import {generateQwen3TinyModel} from '../../../source/models/tiny-models.js';
import {makeTempDir} from '../../helpers/temp.js';

// The CPU default (migration.dtype 'auto') is q8, chosen from the realsize bench's figures
// (README, "Real-size model"): several times fp32's speed at a cosine to fp32 above 0.99.
describe('the default dtype (auto)', () => {
	const root = makeTempDir();
	const both = path.join(root, 'fp32-and-q8');
	const fp32Only = path.join(root, 'fp32-only');
	const local = (directory: string) => resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: directory, root, cacheDir: 'cache'});

	before(() => {
		generateQwen3TinyModel(both, {dimension: 16, dtypes: ['fp32', 'q8']});
		cpSync(both, fp32Only, {recursive: true});
		rmSync(path.join(fp32Only, 'onnx/model_quantized.onnx'));
	});

	it('loads fp32 on the CPU when the directory holds fp32 weights and no q8 graph (no failure, no download)', async () => {
		assert.equal(resolveDtype('auto', 'cpu', fp32Only), 'fp32');
		const embedder = await Embedder.load({source: local(fp32Only), device: 'cpu'});
		try {
			assert.equal(embedder.dtype, 'fp32');
		} finally {
			await embedder.close();
		}
	});

	it('is q8 on the CPU when the q8 graph is there, and what check verifies', async () => {
		assert.equal(resolveDtype('auto', 'cpu', both), 'q8');
		const embedder = await Embedder.load({source: local(both), device: 'cpu'});
		try {
			assert.equal(embedder.dtype, 'q8');
		} finally {
			await embedder.close();
		}

		const item = await checkModel('target', local(both), {dtype: 'auto', device: 'cpu'});
		assert.match(item.title, /dtype q8/);
	});

	it('is q8 on the CPU for weights not downloaded yet (the real export ships model_quantized.onnx)', () => {
		assert.equal(resolveDtype('auto', 'cpu', path.join(root, 'not-there')), 'q8');
		assert.equal(resolveDtype('auto', 'cpu'), 'q8');
	});

	it('is fp16 on CUDA, and an explicit dtype always wins', () => {
		assert.equal(resolveDtype('auto', 'cuda', both), 'fp16');
		assert.equal(resolveDtype('fp32', 'cpu', both), 'fp32');
		assert.equal(resolveDtype('q8', 'cpu', fp32Only), 'q8');
	});
});
