import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {exitCodes} from '../../source/engine/errors.js';
import {FaultInjector} from '../../source/engine/migration/faults.js';
import {Migration} from '../../source/engine/migration/migration.js';
import {openWorkspace} from '../../source/engine/workspace.js';
import {DashboardController, type DashboardBackend} from '../../source/ui/controller.js';
import {exitCodeFor} from '../../source/ui/exit-code.js';
import {activeProblems} from '../../source/ui/problems.js';
import {codeFromState, RunOwner} from '../../source/ui/run-owner.js';
import {cutOverLineOfAFullRun} from '../helpers/runs.js';
import {demoWorkspace} from '../helpers/workspace.js';

describe('the run a dashboard owns', () => {
	it('a run whose log could not be written after the cut-over ends DONE with the reason shown, as its own problem in the trouble list, and exit 1', {timeout: 240_000}, async () => {
		const cutOverLine = await cutOverLineOfAFullRun();
		const paths = await demoWorkspace();
		const backend: DashboardBackend = {quit: () => undefined};
		const controller = new DashboardController(backend, {now: Date.now});
		const finished = new Promise<number>(resolve => {
			const owner = new RunOwner({
				controller,
				backend,
				createMigration: () => new Migration({workspace: openWorkspace(paths.root), env: {}, batchSize: 16, faults: FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: `enospc@log=${cutOverLine}`})}),
				now: Date.now,
				finish: resolve,
				exitWhenDone: true,
			});
			owner.start({retryFailed: false});
		});
		assert.equal(await finished, codeFromState);
		const state = controller.getState();
		assert.equal(state.mode, 'done');
		assert.match(state.notice?.text ?? '', /^the run log could not be written after the cut-over \(disk full on \/\S*: need about/);
		const [problem] = activeProblems(state);
		assert.equal(problem?.problem.id, 'log-incomplete', 'not "disk full: the run stopped, resume it": the migration is complete');
		assert.equal(problem.detail, state.logIncomplete);
		assert.doesNotMatch(problem.problem.command, /\(resumes\)/);
		assert.equal(exitCodeFor(state, true), exitCodes.problems);
	});
});
