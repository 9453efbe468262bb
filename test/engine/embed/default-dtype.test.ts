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

// The CPU default (migration.dtype 'auto') is fp32, chosen from the realsize bench's figures
// (README, "Real-size model"): q8 is faster, but its vectors depend on the batch.
describe('the default dtype (auto)', () => {
	const root = makeTempDir();
	const both = path.join(root, 'fp32-and-q8');
	const q8Only = path.join(root, 'q8-only');
	const local = (directory: string) => resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: directory, root, cacheDir: 'cache'});

	before(() => {
		generateQwen3TinyModel(both, {dimension: 16, dtypes: ['fp32', 'q8']});
		cpSync(both, q8Only, {recursive: true});
		rmSync(path.join(q8Only, 'onnx/model.onnx'));
		rmSync(path.join(q8Only, 'onnx/model.onnx_data'), {force: true});
	});

	it('is fp32 on the CPU when fp32 weights are there (batch-independent vectors, the bot\'s own), and what check verifies', async () => {
		assert.equal(resolveDtype('auto', 'cpu', both), 'fp32');
		const embedder = await Embedder.load({source: local(both), device: 'cpu'});
		try {
			assert.equal(embedder.dtype, 'fp32');
		} finally {
			await embedder.close();
		}

		const item = await checkModel('target', local(both), {dtype: 'auto', device: 'cpu'});
		assert.match(item.title, /dtype fp32/);
	});

	it('loads q8 on the CPU when the directory holds only the q8 graph (no failure, no 2.3 GB download)', async () => {
		assert.equal(resolveDtype('auto', 'cpu', q8Only), 'q8');
		const embedder = await Embedder.load({source: local(q8Only), device: 'cpu'});
		try {
			assert.equal(embedder.dtype, 'q8');
		} finally {
			await embedder.close();
		}
	});

	it('is fp32 on the CPU for weights not downloaded yet', () => {
		assert.equal(resolveDtype('auto', 'cpu', path.join(root, 'not-there')), 'fp32');
		assert.equal(resolveDtype('auto', 'cpu'), 'fp32');
	});

	it('is fp16 on CUDA, and an explicit dtype always wins', () => {
		assert.equal(resolveDtype('auto', 'cuda', both), 'fp16');
		assert.equal(resolveDtype('q8', 'cpu', both), 'q8');
		assert.equal(resolveDtype('fp32', 'cpu', q8Only), 'fp32');
	});
});
