/**
 * Cut-over: the staged indexes replace the live ones by directory renames, settings.json switches
 * to the new model and profile, and the run is recorded as done. Each step is safe to repeat.
 */
import {logText} from '../../log/messages.js';
import {markCutOver} from '../../run-store/index.js';
import type {ProfileName} from '../../types.js';
import {swapIndexDirectories, switchSettingsToTarget} from '../cutover.js';
import type {PhaseStep} from './phase.js';

export type CutOverInput = {profile: ProfileName};

export const cutOverPhase: PhaseStep<CutOverInput, void> = {
	phase: 'cutover',
	resumes: 'a half-done swap is finished (the retired and staging directories say how far it got); settings are rewritten idempotently',
	async run(context, {profile}) {
		const {paths, target} = context;
		await swapIndexDirectories(paths);
		switchSettingsToTarget(paths.settings, {model: target.model, dimension: target.dimension, profile});
		markCutOver(context.db, context.runId);
		context.log('INFO', logText.cutOverDone(target.model, profile));
	},
};
