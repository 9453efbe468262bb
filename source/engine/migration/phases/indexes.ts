/**
 * Index: builds every channel's FAISS index and mapping from the new vectors into the staging
 * directory, in a worker thread so the dashboard never freezes. The live indexes are untouched
 * until cut-over.
 */
import {logText} from '../../log/messages.js';
import {runIndexJob} from '../index-jobs.js';
import {aborted, type PhaseStep} from './phase.js';

export const indexPhase: PhaseStep<void, void> = {
	phase: 'index',
	resumes: 'rebuilds the staging directory from the database (the vectors are the source of truth)',
	async run(context) {
		const {paths, target, events} = context;
		await runIndexJob(
			{task: 'build', databasePath: paths.database, stagingDir: paths.indicesStaging, liveDir: paths.indices, model: target.model, dimension: target.dimension, samplePerChannel: 0},
			message => {
				if (message.type === 'channel') {
					events.emit('index:channel:done', {channelId: message.channelId, vectors: message.vectors, built: message.built, channels: message.channels});
				} else if (message.type === 'skipped') {
					context.log('ERROR', logText.channelIndexSkipped(message.channelId, message.reason));
				}
			},
		);
		context.log('INFO', logText.indexesBuilt(paths.indicesStaging));
		return context.control.aborting ? aborted : undefined;
	},
};
