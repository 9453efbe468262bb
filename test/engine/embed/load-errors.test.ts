import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {cpSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {before, describe, it} from 'node:test';
import {resolveDtype} from '../../../source/engine/embed/devices.js';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {modelFileForDtype} from '../../../source/engine/embed/model-files.js';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {ModelLoadError} from '../../../source/engine/errors.js';
import {DataType, OnnxGraphBuilder} from '../../../source/models/onnx-graph.js';
import {generateQwen3TinyModel} from '../../../source/models/tiny-models.js';
import {writeRealQwen3Tokenizer} from '../../fixtures/qwen3-tokenizer.js';
import {cliPath} from '../../helpers/cli.js';
import {makeTempDir} from '../../helpers/temp.js';
import {demoWorkspace} from '../../helpers/workspace.js';

/** A graph whose only output is `logits`: what a causal-LM export looks like. */
function logitsOnlyGraph(): Uint8Array {
	const graph = new OnnxGraphBuilder();
	const ids = graph.input('input_ids', DataType.int64, ['batch_size', 'sequence_length']);
	graph.input('attention_mask', DataType.int64, ['batch_size', 'sequence_length']);
	const table = graph.floatTensor('embed', [2000, 8], new Float32Array(16_000).fill(0.5));
	graph.node('Gather', [table, ids], {}, 'logits');
	graph.output('logits', DataType.float, ['batch_size', 'sequence_length', 8]);
	return graph.encode('logits_only');
}

describe('model load errors', () => {
	const root = makeTempDir();
	const good = path.join(root, 'good');
	before(() => {
		generateQwen3TinyModel(good, {dimension: 16});
	});

	const load = async (directory: string, dtype = 'fp32') =>
		Embedder.load({source: resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: directory, root, cacheDir: 'c'}), device: 'cpu', dtype});

	it('refuse a model without last_hidden_state and name the outputs found (no logits fallback)', async () => {
		const directory = path.join(root, 'logits');
		cpSync(good, directory, {recursive: true});
		writeFileSync(path.join(directory, 'onnx', 'model.onnx'), logitsOnlyGraph());
		await assert.rejects(load(directory), (error: Error) => {
			assert.ok(error instanceof ModelLoadError);
			assert.match(error.message, /no last_hidden_state output \(outputs: logits\)/);
			return true;
		});
	});

	it('name the file of the chosen dtype in the fix line', async () => {
		await assert.rejects(load(good, 'q4'), (error: Error) => {
			assert.ok(error instanceof ModelLoadError);
			assert.match(error.hint ?? '', /onnx\/model_q4\.onnx \(dtype q4\)/);
			return true;
		});
		const directory = path.join(root, 'no-fp16');
		cpSync(good, directory, {recursive: true});
		await assert.rejects(load(directory, 'fp16'), (error: Error) => {
			assert.match((error as ModelLoadError).hint ?? '', /onnx\/model_fp16\.onnx and onnx\/model_fp16\.onnx_data/);
			assert.doesNotMatch((error as ModelLoadError).hint ?? '', /onnx\/model\.onnx[^_]/);
			return true;
		});
	});

	it('end the CLI within seconds, non-zero, with the one-line error and its fix (no worker left behind)', async () => {
		const workspace = await demoWorkspace();
		const model = path.join(workspace.root, 'models/Qwen3-Embedding-0.6B-tiny');
		// The real tokenizer takes about a second to load: the broken model fails long before, the
		// case in which the tokenizer worker used to be left running.
		writeRealQwen3Tokenizer(model);
		// The graph the default dtype loads on the CPU (see resolveDtype).
		const graph = modelFileForDtype(resolveDtype('auto', 'cpu', model));
		writeFileSync(path.join(model, graph), 'not a protobuf');
		const started = Date.now();
		// SIGKILL: a hung CLI also ignored SIGTERM, which would hang this test instead of failing it.
		const result = spawnSync(process.execPath, [cliPath, 'migrate', '--workspace', workspace.root, '--no-ui', '--yes'], {
			encoding: 'utf8',
			timeout: 20_000,
			killSignal: 'SIGKILL',
			env: {...process.env, NO_COLOR: '1'},
		});
		const seconds = (Date.now() - started) / 1000;
		assert.notEqual(result.status, null, `the CLI was still running after ${seconds.toFixed(1)} s and had to be killed`);
		assert.notEqual(result.status, 0);
		assert.ok(seconds < 10, `took ${seconds.toFixed(1)} s`);
		assert.match(result.stderr, /cannot load Qwen\/Qwen3-Embedding-0\.6B .*Protobuf parsing failed/);
		assert.ok(result.stderr.includes(graph), `the fix names ${graph}: ${result.stderr}`);
	});
});
