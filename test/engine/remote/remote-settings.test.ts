import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {remoteOptionsFrom} from '../../../source/engine/remote/remote-settings.js';
import {memorySystemSchema} from '../../../source/engine/settings/schema.js';

describe('remote settings', () => {
	it('is off by default and keeps the settings\' endpoints unless --endpoint is given', () => {
		assert.equal(remoteOptionsFrom(memorySystemSchema.parse({}), {}, {}), undefined);
		const memory = memorySystemSchema.parse({migration: {endpoints: ['http://gpu1:8000/v1'], api_key_env: 'EMBED_KEY', remote_model: 'qwen3-embedding:0.6b'}});
		const fromSettings = remoteOptionsFrom(memory, {}, {EMBED_KEY: 'k1', OPENAI_API_KEY: 'k2'})!;
		assert.deepEqual([fromSettings.endpoints, fromSettings.apiKey, fromSettings.remoteModel, fromSettings.expectedDimension], [['http://gpu1:8000/v1'], 'k1', 'qwen3-embedding:0.6b', 1024]);
		const fromFlags = remoteOptionsFrom(memory, {endpoint: 'http://a/v1,http://b/v1', remoteModel: 'm'}, {}, 48)!;
		assert.deepEqual([fromFlags.endpoints, fromFlags.apiKey, fromFlags.remoteModel, fromFlags.expectedDimension], [['http://a/v1', 'http://b/v1'], undefined, 'm', 48]);
	});

	it('asks the servers for the Matryoshka width and refuses a key name that is not a variable name', () => {
		const memory = memorySystemSchema.parse({migration: {endpoints: ['http://gpu1:8000/v1'], output_dimension: 256}});
		const options = remoteOptionsFrom(memory, {}, {})!;
		assert.deepEqual([options.expectedDimension, options.requestDimensions], [256, 256]);
		assert.throws(() => memorySystemSchema.parse({migration: {api_key_env: 'sk-live-abc def'}}));
	});
});
