/**
 * Cut-over: one last catch-up right before the swap (new messages embedded and their channels'
 * staged indexes rebuilt, so the bot's writes during index and verify are not left behind), then
 * the journal entry, the directory renames, settings.json, and the run recorded as done — last.
 * A kill after the journal entry is finished by the next `migrate`; before it, redone. Afterwards
 * it counts the messages still without a new vector (written by the old bot after the switch).
 */
import {logText} from '../../log/messages.js';
import {cutOverInterrupted, latestRun, markCutOver, markCutOverStarted} from '../../run-store/index.js';
import type {ProfileName} from '../../types.js';
import {killPoint} from '../../util/kill-points.js';
import {refreshCounts} from '../context.js';
import {catchUpLiveIndexes, catchUpStagedIndexes, newestMessageRowid, swapIndexDirectories, switchSettingsToTarget} from '../cutover.js';
import {aborted, type PhaseStep} from './phase.js';

export type CutOverInput = {profile: ProfileName};

export type CutOverOutput = {
	/** Target messages without a new vector right after the switch: the rerun embeds them. */
	late: number;
	/** The newest message's rowid at the switch: later ones were written after the cut-over instant. */
	switchedAtRowid: number;
};

export const cutOverPhase: PhaseStep<CutOverInput, CutOverOutput> = {
	phase: 'cutover',
	resumes: 'once its journal entry is written, the next run finishes the swap (the names on disk say how far it got) and rewrites settings idempotently; before that it starts over',
	async run(context, {profile}) {
		const {paths, target, db, runId} = context;
		if (cutOverInterrupted(latestRun(db))) {
			context.log('WARNING', logText.cutOverResumed());
		} else {
			const caughtUp = await catchUpStagedIndexes(context);
			if (caughtUp === aborted) {
				return aborted;
			}

			markCutOverStarted(db, runId);
		}

		killPoint('cutover:journaled');
		swapIndexDirectories(paths);
		killPoint('cutover:indices-swapped');
		switchSettingsToTarget(paths.settings, {model: target.model, dimension: target.dimension, profile});
		killPoint('cutover:settings-switched');
		const switchedAtRowid = newestMessageRowid(db);
		markCutOver(db, runId);
		context.log('INFO', logText.cutOverDone(target.model, profile));
		if ((await catchUpLiveIndexes(context)) === aborted) {
			// The switch is done and recorded; what is left is counted below and caught by the rerun.
			context.log('WARNING', logText.paused(context.counters.done, context.counters.total));
		}

		await refreshCounts(context);
		const {done, failed, total} = context.counters;
		const late = Math.max(0, total - done - failed);
		if (late > 0) {
			context.log('WARNING', logText.lateMessages(late));
		}

		return {late, switchedAtRowid};
	},
};
