import assert from 'node:assert/strict';
import {readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {SettingsError} from '../../../source/engine/errors.js';
import {exampleSettings} from '../../../source/engine/settings/example.js';
import {loadSettings} from '../../../source/engine/settings/load.js';
import {settingsSchema} from '../../../source/engine/settings/schema.js';
import {updateSettings} from '../../../source/engine/settings/write.js';
import {makeTempDir} from '../../helpers/temp.js';

function settingsFile(text: string): string {
	const file = path.join(makeTempDir(), 'settings.json');
	writeFileSync(file, text);
	return file;
}

function loadError(text: string): SettingsError {
	const file = settingsFile(text);
	try {
		loadSettings(file);
	} catch (error) {
		assert.ok(error instanceof SettingsError, `expected SettingsError, got ${String(error)}`);
		assert.equal(error.exitCode, 2);
		assert.ok(error.message.startsWith(file), `message names the file: ${error.message}`);
		assert.ok(!error.message.includes('\n'), 'one line');
		assert.ok(error.hint?.includes('settings_qwen3_example.json'), 'hint offers the example file');
		return error;
	}

	assert.fail('expected loadSettings to throw');
}

describe('settings loading', () => {
	it('fills a default for every key the tool reads', () => {
		const {settings} = loadSettings(settingsFile('{}'));
		assert.equal(settings.memory_system.performance.batch_size, 32);
		assert.equal(settings.memory_system.migration.max_tokens, 512);
		assert.equal(settings.memory_system.hardware_detection.fallback_to_cpu, true);
		assert.equal(settings.memory_system.migration.target_model, 'Qwen/Qwen3-Embedding-0.6B');
	});

	it('reports a JSON syntax error with line:column as python -m json.tool does', () => {
		const error = loadError('{\n  "memory_system": {\n    "enabled": true\n    "profile": "x"\n  }\n}');
		assert.equal(error.code, 'settings-syntax');
		assert.match(error.message, /settings\.json:4:5: invalid JSON: Expecting ',' delimiter: line 4 column 5 \(char 47\)/);
	});

	it('reports an empty file, a trailing comma and an unterminated string', () => {
		assert.match(loadError('').message, /Expecting value: line 1 column 1 \(char 0\)/);
		assert.match(loadError('{"a": 1,}').message, /Expecting property name enclosed in double quotes: line 1 column 9/);
		assert.match(loadError('{"a": "x').message, /Unterminated string starting at: line 1 column 7/);
	});

	it('names the JSON path, expected and received for a wrong type', () => {
		const error = loadError('{"memory_system": {"performance": {"batch_size": "32"}}}');
		assert.equal(error.code, 'settings-invalid');
		assert.match(error.message, /memory_system\.performance\.batch_size: expected a number, received "32" \(string\)/);
	});

	it('rejects out-of-range numbers, unknown profiles and non-integers', () => {
		assert.match(loadError('{"memory_system": {"performance": {"batch_size": 0}}}').message, /batch_size: expected a value >= 1, received 0 \(number\)/);
		assert.match(loadError('{"memory_system": {"profile": "ultra"}}').message, /profile: expected one of "qwen3_high_performance".*received "ultra"/);
		assert.match(loadError('{"memory_system": {"migration": {"max_tokens": 12.5}}}').message, /max_tokens: expected an integer, received 12\.5/);
		assert.match(loadError('{"memory_system": {"hardware_detection": {"fallback_to_cpu": "yes"}}}').message, /fallback_to_cpu: expected a boolean/);
	});

	it('rejects a top level that is not an object', () => {
		assert.match(loadError('[1, 2]').message, /expected a JSON object at the top level, received an array/);
	});

	it('says how to create a missing file', () => {
		const file = path.join(makeTempDir(), 'settings.json');
		assert.throws(() => loadSettings(file), (error: SettingsError) => error.code === 'settings-missing' && error.hint!.includes('cp settings_qwen3_example.json settings.json'));
	});
});

describe('settings rewriting', () => {
	const botFile = `{
  "prefix": "/",
  "notification": {"update_channel_id": 1208661941539704852},
  "activity": [{"paly": "學習說話"}],
  "memory_system": {"profile": "high_performance", "vector_store": {"custom": [1, 2.5, null]}}
}`;

	it('changes only the keys asked for and keeps unknown keys, large ids and non-ASCII text', () => {
		const file = settingsFile(botFile);
		updateSettings(file, {memory_system: {profile: 'qwen3_high_performance', embedding_model: 'Qwen/Qwen3-Embedding-0.6B'}});
		const text = readFileSync(file, 'utf8');
		assert.match(text, /"update_channel_id": 1208661941539704852/);
		assert.match(text, /"paly": "學習說話"/);
		const reread = loadSettings(file);
		assert.equal(reread.settings.memory_system.profile, 'qwen3_high_performance');
		assert.deepEqual(reread.raw.prefix, '/');
		assert.deepEqual((reread.raw.memory_system as Record<string, unknown>).vector_store, {custom: [1, 2.5, null]});
	});

	it('writes nothing when the result would be invalid', () => {
		const file = settingsFile(botFile);
		const before = readFileSync(file);
		const modified = statSync(file).mtimeMs;
		assert.throws(() => updateSettings(file, {memory_system: {profile: 'bogus'}}), (error: SettingsError) => error instanceof SettingsError && /memory_system\.profile: expected one of .*received "bogus"/.test(error.message));
		assert.deepEqual(readFileSync(file), before);
		assert.equal(statSync(file).mtimeMs, modified);
	});

	it('writes nothing when the file on disk is malformed', () => {
		const file = settingsFile('{"memory_system": ');
		assert.throws(() => updateSettings(file, {memory_system: {profile: 'qwen3_high_performance'}}), (error: SettingsError) => error instanceof SettingsError && /:1:19: invalid JSON: Expecting value/.test(error.message));
		assert.equal(readFileSync(file, 'utf8'), '{"memory_system": ');
	});
});

describe('settings_qwen3_example.json', () => {
	it('is complete and valid, and matches what demo workspaces get', () => {
		const file = path.resolve(import.meta.dirname, '../../../../settings_qwen3_example.json');
		const parsed = JSON.parse(readFileSync(file, 'utf8')) as object;
		assert.deepEqual(parsed, exampleSettings());
		const result = settingsSchema.safeParse(parsed);
		assert.ok(result.success);
		// Complete: parsing adds no default that the file does not already state.
		assert.deepEqual(result.data, parsed);
	});
});
