/**
 * Verify: checks the staged indexes against the database (counts, mappings, self-retrieval of a
 * sample per channel) and stops the run before cut-over if anything is off; then recounts, so the
 * runner knows whether messages arrived meanwhile and another catch-up round is due.
 */
import {AppError} from '../../errors.js';
import {logText} from '../../log/messages.js';
import {formatBytes} from '../../util/disk.js';
import {refreshCounts} from '../context.js';
import {runIndexJob} from '../index-jobs.js';
import type {PhaseStep} from './phase.js';

export type VerifyInput = {
	/** Vectors per channel checked by self-retrieval. */
	samplePerChannel: number;
};

export type VerifyOutput = {
	/** Every target message has a new vector or a recorded failure. */
	complete: boolean;
};

export const verifyPhase: PhaseStep<VerifyInput, VerifyOutput> = {
	phase: 'verify',
	resumes: 'runs again in full against the staged indexes (read-only)',
	async run(context, {samplePerChannel}) {
		const {paths, target} = context;
		const result = await runIndexJob(
			{task: 'verify', databasePath: paths.database, stagingDir: paths.indicesStaging, model: target.model, dimension: target.dimension, samplePerChannel},
			() => undefined,
		);
		if (result.type === 'verified') {
			context.events.emit('verify:result', {ok: result.ok, channels: result.channels, vectors: result.vectors, problems: result.problems});
			if (!result.ok) {
				for (const problem of result.problems.slice(0, 20)) {
					context.log('ERROR', logText.verifyProblem(problem));
				}

				throw new AppError('index', `verification of the new indexes failed: ${result.problems[0]}`, {
					hint: 'the live indexes and settings are untouched; run `migrate` again to rebuild, or `qwen3-migrate verify` for details',
				});
			}

			context.log('INFO', logText.verifyPassed(result.channels, result.vectors, formatBytes(result.vectors * target.dimension * 4)));
		}

		// Messages that arrived while indexing: the runner embeds them and indexes again.
		await refreshCounts(context);
		const {done, failed, total} = context.counters;
		return {complete: done + failed >= total};
	},
};
