import assert from 'node:assert/strict';
import {readFileSync, writeFileSync} from 'node:fs';
import {after, before, describe, it} from 'node:test';
import {Embedder} from '../../../source/engine/embed/embedder.js';
import {resolveModelSource, type ModelSource} from '../../../source/engine/embed/model-source.js';
import {botPreprocess} from '../../../source/engine/remote/bot-preprocess.js';
import {EmbeddingClient} from '../../../source/engine/remote/client.js';
import {openRemoteBackend, type OpenRemoteOptions} from '../../../source/engine/remote/open-backend.js';
import {serveWorkspace, type ServingWorkspace} from '../../../source/engine/serve/serve-workspace.js';
import {openWorkspace, type WorkspacePaths} from '../../../source/engine/workspace.js';
import {expectedVector, idsText, startFaultServer, type FaultServer} from '../../helpers/fault-server.js';
import {demoWorkspace} from '../../helpers/workspace.js';

/** 500 code points (under the bot's 512-character cut) that take well over 512 tokens. */
const longText = '🦜𠜎'.repeat(250);
const shortText = 'Hello, world!';

const maxAbsDiff = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (value, index) => Math.abs(value - b[index]!)));

function setMaxTokens(paths: WorkspacePaths, maxTokens: number): void {
	const settings = JSON.parse(readFileSync(paths.settings, 'utf8')) as {memory_system: {migration?: Record<string, unknown>}};
	settings.memory_system.migration = {...settings.memory_system.migration, max_tokens: maxTokens};
	writeFileSync(paths.settings, JSON.stringify(settings, undefined, 2));
}

describe('texts over max_tokens through a server match the local run', () => {
	let source: ModelSource;
	let local: Embedder;
	let serving: ServingWorkspace;
	const faults: FaultServer[] = [];
	const remoteOptions = (endpoints: string[], warn?: (line: string) => void): OpenRemoteOptions => ({targetModel: 'Qwen/Qwen3-Embedding-0.6B', endpoints, expectedDimension: 48, maxTokens: 512, tokenizerSource: source, warn});

	before(async () => {
		const paths = await demoWorkspace({messages: 20});
		const {migration} = openWorkspace(paths.root).memory;
		source = resolveModelSource(migration.target_model, {localPath: migration.target_model_path, root: paths.root, cacheDir: migration.model_cache_dir});
		local = await Embedder.load({source, device: 'cpu', maxTokens: 512});
		// The server's own limit is far above 512 tokens, as vLLM's 32k context is: it cuts nothing itself.
		const serverPaths = await demoWorkspace({messages: 20});
		setMaxTokens(serverPaths, 8192);
		serving = await serveWorkspace(openWorkspace(serverPaths.root), {port: 0, device: 'cpu'});
	});

	after(async () => {
		await Promise.all([local.close(), serving.close(), ...faults.map(async server => server.close())]);
	});

	it('the text is over 512 tokens, and the server given the whole text embeds something else', async () => {
		const [encoded] = await local.encodeAsync([longText]);
		assert.equal(encoded!.truncated, true, 'the local run cuts it');
		const [whole] = await new EmbeddingClient({baseUrl: serving.url}).embed({model: serving.modelId, texts: [botPreprocess(longText)]});
		const [localVector] = await local.embed([longText]);
		assert.ok(maxAbsDiff(whole!, localVector!) > 1e-3, 'whole text: not the local vector (what the remote path sent before)');
	});

	it('sends the local run\'s 512 token ids (EOS last) for a batch with a cut text: max abs diff ≤ 1e-4 through serve', async () => {
		const {backend} = await openRemoteBackend(remoteOptions([serving.url]));
		try {
			const remote = await backend.embed([longText, shortText]);
			const reference = await local.embed([longText, shortText]);
			for (const [index, vector] of remote.entries()) {
				const diff = maxAbsDiff(vector, reference[index]!);
				assert.ok(diff <= 1e-4, `text ${index}: max abs diff ${diff}`);
			}
		} finally {
			await backend.close();
		}
	});

	it('sends exactly those ids to the server, and plain texts for a batch with nothing cut', async () => {
		const server = await startFaultServer({dimension: 48});
		faults.push(server);
		const {backend} = await openRemoteBackend(remoteOptions([server.url]));
		try {
			const before = server.embedded.length;
			await backend.embed([shortText]);
			assert.deepEqual(server.embedded.slice(before), [shortText]);
			await backend.embed([longText]);
			const [ids] = await local.encodeAsync([longText]);
			assert.equal(ids!.ids.length, 512);
			assert.deepEqual(server.embedded.at(-1), idsText(ids!.ids));
		} finally {
			await backend.close();
		}
	});

	it('falls back to the whole text, with one warning, on a server that refuses token ids', async () => {
		const server = await startFaultServer({dimension: 48, textOnly: true});
		faults.push(server);
		const warnings: string[] = [];
		const {backend} = await openRemoteBackend(remoteOptions([server.url], line => warnings.push(line)));
		try {
			const [first] = await backend.embed([longText]);
			await backend.embed([longText]);
			assert.deepEqual(Array.from(first!), Array.from(expectedVector(botPreprocess(longText), 48)));
			assert.equal(warnings.length, 1, warnings.join('\n'));
			assert.match(warnings[0]!, new RegExp(`^嵌入端點不接受 token id 輸入: ${server.url}；超過 max_tokens \\(512\\)`));
		} finally {
			await backend.close();
		}
	});
});
