/**
 * Embed: the long pass over the target set in rowid order, from the run's checkpoint. Each batch's
 * rows and the checkpoint commit in one transaction (commit worker), so a kill loses at most the
 * batches in flight and never writes a row twice.
 */
import {EmbedLoop} from '../embed-loop.js';
import {recordCorruptTargetRows} from '../record-failure.js';
import {aborted, type PhaseStep} from './phase.js';

export type EmbedInput = {
	/** Every target message with rowid ≤ this is resolved already (the run's checkpoint). */
	cursor: number;
};

export const embedPhase: PhaseStep<EmbedInput, void> = {
	phase: 'embed',
	resumes: 'from the checkpoint cursor: the keyset scan starts after the last committed batch',
	async run(context, {cursor}) {
		if (cursor === 0) {
			// Once per run, before the first batch: pre-existing new-model rows holding no usable
			// vector count as migrated otherwise (catch-up passes need not look again).
			await recordCorruptTargetRows(context);
		}

		if ((await new EmbedLoop(context, context.reuse).run(cursor)) === 'aborted') {
			return aborted;
		}
	},
};
