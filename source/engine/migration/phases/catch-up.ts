/**
 * Catch-up: the bot kept writing during the embed pass; this pass recounts the target set and
 * embeds whatever still lacks a new vector (new messages, anything the keyset skipped, retried
 * failures), scanning from the start so nothing behind the cursor is missed.
 */
import {refreshCounts} from '../context.js';
import {EmbedLoop} from '../embed-loop.js';
import {aborted, type PhaseStep} from './phase.js';

export const catchUpPhase: PhaseStep<void, void> = {
	phase: 'catchup',
	resumes: 'runs again in full; it only embeds messages that still have no new vector',
	async run(context) {
		await refreshCounts(context);
		if ((await new EmbedLoop(context, context.reuse).run(0)) === 'aborted') {
			return aborted;
		}
	},
};
