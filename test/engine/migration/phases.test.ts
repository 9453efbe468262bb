import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {phaseModules} from '../../../source/engine/migration/phases/runner.js';
import {phases} from '../../../source/engine/types.js';

describe('migration phases', () => {
	it('has one module per phase, in the order of the phase list, each saying how it resumes', () => {
		assert.deepEqual(
			phaseModules.map(module => module.phase),
			phases.filter(phase => phase !== 'done'),
		);
		for (const module of phaseModules) {
			assert.ok(module.resumes.length > 20, `${module.phase} explains how it resumes`);
		}
	});
});
