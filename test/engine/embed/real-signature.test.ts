import assert from 'node:assert/strict';
import {cpSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import * as ort from 'onnxruntime-node';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {positionIdsFromMask} from '../../../source/engine/embed/session-feeds.js';
import {generateQwen3TinyModel} from '../../../source/models/tiny-models.js';
import {makeTempDir} from '../../helpers/temp.js';

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((worst, value, index) => Math.max(worst, Math.abs(value - b[index]!)), 0);
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

const mixed = ['a much longer text, so that every other row in this batch is padded a lot', 'hello world', 'x', '你好，今天天氣很好 👍', 'hello world again'];

describe('the qwen3 stand-in with the real export signature', () => {
	const root = makeTempDir();
	const right = path.join(root, 'right');
	const left = path.join(root, 'left');
	const embedders: Embedder[] = [];
	const load = async (directory: string, options: {dtype?: string; fetch?: 'pooled' | 'all'} = {}) => {
		const embedder = await Embedder.load({source: resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: directory, root, cacheDir: 'c'}), device: 'cpu', ...options});
		embedders.push(embedder);
		return embedder;
	};

	before(() => {
		generateQwen3TinyModel(right, {dimension: 32, dtypes: ['fp32', 'fp16', 'q8']});
		// The bot pads on the left: the same model with padding_side set.
		cpSync(right, left, {recursive: true});
		const config = JSON.parse(readFileSync(path.join(left, 'tokenizer_config.json'), 'utf8')) as object;
		writeFileSync(path.join(left, 'tokenizer_config.json'), JSON.stringify({...config, padding_side: 'left'}));
	});

	after(async () => {
		await Promise.all(embedders.map(async embedder => embedder.close()));
	});

	it('takes input_ids, attention_mask, position_ids and 28 past pairs; gives last_hidden_state and 28 present pairs', async () => {
		const embedder = await load(right);
		const {inputNames, outputNames} = embedder.model;
		assert.deepEqual(inputNames.slice(0, 3), ['input_ids', 'attention_mask', 'position_ids']);
		assert.equal(inputNames.filter(name => /^past_key_values\.\d+\.(key|value)$/.test(name)).length, 56);
		assert.equal(outputNames[0], 'last_hidden_state');
		assert.equal(outputNames.filter(name => /^present\.\d+\.(key|value)$/.test(name)).length, 56);
		assert.equal(embedder.pooling, 'last_token');
		assert.equal(embedder.dimension, 32);
	});

	for (const [side, directory] of [['right', right], ['left', left]] as const) {
		it(`gives a text the same vector alone or in a mixed-length batch, padded on the ${side} (max abs diff ≤ 1e-5)`, async () => {
			const embedder = await load(directory);
			assert.equal(embedder.tokenizer.shape.paddingSide, side);
			const batched = await embedder.embed(mixed);
			for (const [index, text] of mixed.entries()) {
				const [alone] = await embedder.embed([text]);
				const difference = maxAbsDiff(alone!, batched[index]!);
				assert.ok(difference <= 1e-5, `${JSON.stringify(text)}: ${difference}`);
			}
		});
	}

	it('loads fp16 (model_fp16.onnx + its external data) and q8 (model_quantized.onnx) close to fp32', async () => {
		const [reference, fp16, q8] = await Promise.all([load(right, {dtype: 'fp32'}), load(right, {dtype: 'fp16'}), load(right, {dtype: 'q8'})]);
		const expected = await reference.embed(mixed);
		for (const embedder of [fp16, q8]) {
			const vectors = await embedder.embed(mixed);
			for (const [index, vector] of vectors.entries()) {
				assert.ok(cosine(vector, expected[index]!) > 0.99, `${embedder.dtype} row ${index}: cosine ${cosine(vector, expected[index]!)}`);
			}
		}
	});

	it('gives the same vectors when the present.* outputs are fetched too', async () => {
		const [pooled, all] = await Promise.all([load(right), load(right, {fetch: 'all'})]);
		const a = await pooled.embed(mixed);
		const b = await all.embed(mixed);
		for (const [index, vector] of a.entries()) {
			assert.ok(maxAbsDiff(vector, b[index]!) <= 1e-6);
		}
	});
});

/** The graph itself, run without the embedder: the mistakes the loader must avoid are visible. */
describe('the stand-in makes padding mistakes visible', () => {
	const directory = path.join(makeTempDir(), 'model');
	let session: ort.InferenceSession;
	before(async () => {
		generateQwen3TinyModel(directory, {dimension: 16});
		session = await ort.InferenceSession.create(path.join(directory, 'onnx/model.onnx'));
	});

	/** last_hidden_state for one row of ids, padded by `pad` positions on the given side. */
	async function hidden(ids: number[], pad: number, side: 'left' | 'right', positions: 'mask' | 'arange'): Promise<Float32Array> {
		const length = ids.length + pad;
		const padded = side === 'left' ? [...Array<number>(pad).fill(0), ...ids] : [...ids, ...Array<number>(pad).fill(0)];
		const mask = BigInt64Array.from(padded, (_id, index) => ((side === 'left' ? index >= pad : index < ids.length) ? 1n : 0n));
		const positionIds = positions === 'mask' ? positionIdsFromMask(mask, 1, length) : BigInt64Array.from({length}, (_value, index) => BigInt(index));
		const feeds: Record<string, ort.Tensor> = {
			input_ids: new ort.Tensor('int64', BigInt64Array.from(padded, BigInt), [1, length]),
			attention_mask: new ort.Tensor('int64', mask, [1, length]),
			position_ids: new ort.Tensor('int64', positionIds, [1, length]),
		};
		for (let layer = 0; layer < 28; layer++) {
			feeds[`past_key_values.${layer}.key`] = new ort.Tensor('float32', new Float32Array(0), [1, 8, 0, 128]);
			feeds[`past_key_values.${layer}.value`] = new ort.Tensor('float32', new Float32Array(0), [1, 8, 0, 128]);
		}

		const output = await session.run(feeds, ['last_hidden_state']);
		return output.last_hidden_state!.data as Float32Array;
	}

	const row = (data: Float32Array, position: number) => data.slice(position * 16, (position + 1) * 16);
	const ids = [5, 17, 42, 99, 7];

	it('depends on position_ids: arange positions on a left-padded row change the last token', async () => {
		const alone = row(await hidden(ids, 0, 'left', 'mask'), ids.length - 1);
		const fromMask = row(await hidden(ids, 3, 'left', 'mask'), ids.length + 2);
		const arange = row(await hidden(ids, 3, 'left', 'arange'), ids.length + 2);
		assert.ok(maxAbsDiff(alone, fromMask) <= 1e-5);
		assert.ok(maxAbsDiff(alone, arange) > 1e-3, 'wrong position_ids must show');
	});

	it('gives a pad position a different state from the last real token', async () => {
		const data = await hidden(ids, 3, 'right', 'mask');
		assert.ok(maxAbsDiff(row(data, ids.length - 1), row(data, ids.length + 2)) > 1e-3, 'pooling a pad token must show');
	});
});
