import assert from 'node:assert/strict';
import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {checkIndexesWithPython} from '../helpers/python.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../helpers/workspace.js';

/** Sets memory_system.migration.dtype and removes every other dtype's graph, so only it can load. */
function keepOnlyDtype(root: string, dtype: string, keep: string[]): void {
	const settingsFile = path.join(root, 'settings.json');
	const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as {memory_system: {migration?: Record<string, unknown>}};
	settings.memory_system.migration = {...settings.memory_system.migration, dtype};
	writeFileSync(settingsFile, JSON.stringify(settings, undefined, 2));
	const onnx = path.join(root, 'models/Qwen3-Embedding-0.6B-tiny/onnx');
	for (const file of ['model.onnx', 'model.onnx_data', 'model_fp16.onnx', 'model_fp16.onnx_data', 'model_quantized.onnx']) {
		if (!keep.includes(file)) {
			rmSync(path.join(onnx, file), {force: true});
		}
	}
}

describe('a migration on the real export layout', () => {
	for (const [dtype, files] of [
		['fp16', ['model_fp16.onnx', 'model_fp16.onnx_data']],
		['q8', ['model_quantized.onnx']],
	] as const) {
		it(`runs end to end in ${dtype} (${files.join(' + ')}) and the bot's readers load the indexes`, async () => {
			const workspace = await demoWorkspace({messages: 200, channels: 3});
			keepOnlyDtype(workspace.root, dtype, [...files]);
			const result = runCli(['migrate', '--workspace', workspace.root, '--no-ui', '--yes']);
			assert.equal(result.status, 0, result.stderr);
			const rows = targetRows(workspace.database);
			assert.equal(rows.length, targetMessageIds(workspace.database).length);
			for (const channel of checkIndexesWithPython(workspace.indices)) {
				assert.deepEqual(channel.problems, [], channel.channel);
				assert.equal(channel.self_retrieval_misses, 0);
			}
		});
	}
});
