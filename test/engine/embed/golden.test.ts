import assert from 'node:assert/strict';
import path from 'node:path';
import {describe, it} from 'node:test';
import {compareWithGolden, goldenScores, instructQuery, runGoldenCheck} from '../../../source/engine/embed/golden.js';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {checkGolden} from '../../../source/engine/ops/model-availability.js';
import {generateQwen3TinyModel} from '../../../source/models/tiny-models.js';
import {makeTempDir} from '../../helpers/temp.js';

describe('the golden check (model card scores)', () => {
	it('accepts the card\'s own matrix and anything within ±0.002 of it', () => {
		assert.equal(compareWithGolden(goldenScores.map(row => [...row])).matches, true);
		const close = compareWithGolden([[0.7656, 0.1404], [0.1355, 0.6019]]);
		assert.equal(close.matches, true, close.summary);
		assert.match(close.summary, /are the real Qwen3-Embedding-0\.6B/);
	});

	it('rejects a matrix off by more than 0.002 anywhere', () => {
		const report = compareWithGolden([[0.7646, 0.1414], [0.1355, 0.6025]]);
		assert.equal(report.matches, false);
		assert.ok(Math.abs(report.maxDeviation - 0.0025) < 1e-9);
	});

	it('formats queries as the card does', () => {
		assert.equal(instructQuery('Given a web search query, retrieve relevant passages that answer the query', 'Explain gravity'), 'Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:Explain gravity');
	});

	it('says plainly that the stand-in\'s weights are not the real ones', async () => {
		const root = makeTempDir();
		generateQwen3TinyModel(path.join(root, 'model'), {dimension: 32});
		const report = await runGoldenCheck(resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: 'model', root, cacheDir: 'c'}), {device: 'cpu'});
		assert.equal(report.matches, false);
		assert.equal(report.scores.length, 2);
		assert.match(report.summary, /^these are NOT the real Qwen3-Embedding-0\.6B weights/);
		assert.match(report.summary, /vs the model card's \[\[0\.7646, 0\.1414\], \[0\.1355, 0\.6000\]\]/);
	});
});

describe('check --golden', () => {
	it('fails on the stand-in and says the weights are not the real ones', async () => {
		const root = makeTempDir();
		generateQwen3TinyModel(path.join(root, 'model'), {dimension: 32});
		const item = await checkGolden(resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: 'model', root, cacheDir: 'c'}), {device: 'cpu'});
		assert.equal(item.status, 'fail');
		assert.match(item.detail, /NOT the real Qwen3-Embedding-0\.6B weights/);
	});

	it('fails with the load error and its fix when the weights cannot load', async () => {
		const root = makeTempDir();
		generateQwen3TinyModel(path.join(root, 'model'), {dimension: 32});
		const item = await checkGolden(resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: 'model', root, cacheDir: 'c'}), {device: 'cpu', dtype: 'fp16'});
		assert.equal(item.status, 'fail');
		assert.match(item.fix ?? '', /model_fp16\.onnx/);
	});
});
