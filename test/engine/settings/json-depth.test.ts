import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {SettingsError} from '../../../source/engine/errors.js';
import {parseSettingsJson} from '../../../source/engine/settings/load.js';
import {offsetBeyondDepth} from '../../../source/engine/settings/json-depth.js';
import {cliPath} from '../../helpers/cli.js';

const example = readFileSync(path.resolve(path.dirname(cliPath), '../../settings_qwen3_example.json'), 'utf8');

describe('deeply nested settings', () => {
	it('are refused in one line with their position instead of overflowing the stack', () => {
		const depth = 100_000;
		const text = example.replace(/}\s*$/, `, "deep": ${'['.repeat(depth)}${']'.repeat(depth)}}`);
		assert.throws(
			() => parseSettingsJson('settings.json', text),
			(error: unknown) => error instanceof SettingsError && /^settings\.json:\d+:\d+: JSON nested more than 512 levels deep$/.test(error.message) && error.hint!.includes('settings_qwen3_example.json'),
		);
	});

	it('ignores brackets inside strings and allows ordinary nesting', () => {
		assert.equal(offsetBeyondDepth(`{"a": "${'['.repeat(2000)}", "b": [[{"c": 1}]]}`), undefined);
		assert.equal(offsetBeyondDepth('[[[', 2), 2);
	});
});
