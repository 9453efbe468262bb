import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {checkOutputDimension} from '../../../source/engine/embed/profile-dimension.js';
import {exitCodes} from '../../../source/engine/errors.js';

describe('output_dimension against the bot profile', () => {
	it('accepts no output_dimension or exactly 1024 for both Qwen3 profiles', () => {
		for (const profile of ['qwen3_high_performance', 'qwen3_medium_performance']) {
			assert.deepEqual(checkOutputDimension(null, profile), {ok: true});
			assert.deepEqual(checkOutputDimension(1024, profile), {ok: true});
		}
	});

	it('refuses 512 with a configuration error (exit 2) that names 1024', () => {
		const decision = checkOutputDimension(512, 'qwen3_high_performance');
		assert.equal(decision.ok, false);
		assert.ok(!decision.ok);
		assert.equal(decision.error.exitCode, exitCodes.config);
		assert.match(decision.error.message, /output_dimension 512: .* reads 1024-d vectors/);
		assert.match(decision.error.hint ?? '', /set it to 1024/);
	});

	it('turns the refusal into a cut-over warning with the explicit override', () => {
		const decision = checkOutputDimension(512, 'qwen3_medium_performance', true);
		assert.equal(decision.ok, true);
		assert.match(decision.ok ? decision.warning ?? '' : '', /change the bot's qwen3_medium_performance profile to 512 dimensions/);
	});
});
