/** Verifies the live indexes against the database for the model settings.json names. */
import {openMemoryDatabase} from '../db/connection.js';
import {loadSettings} from '../settings/load.js';
import {workspacePaths} from '../workspace.js';
import {runIndexJob} from './index-jobs.js';
import {sourceDimension} from './preflight.js';

export type LiveVerifyResult = {ok: boolean; model: string; dimension: number; channels: number; vectors: number; problems: string[]};

export async function verifyLiveIndexes(root: string, samplePerChannel = 20): Promise<LiveVerifyResult> {
	const {settings} = loadSettings(workspacePaths(root).settings);
	const paths = workspacePaths(root, settings.memory_system.database_path);
	const model = settings.memory_system.embedding_model;
	const db = openMemoryDatabase(paths.database, {readonly: true});
	let dimension: number;
	try {
		dimension = sourceDimension(db, model);
	} finally {
		db.close();
	}

	const result = await runIndexJob({task: 'verify', databasePath: paths.database, stagingDir: paths.indices, model, dimension, samplePerChannel}, () => undefined);
	if (result.type !== 'verified') {
		return {ok: false, model, dimension, channels: 0, vectors: 0, problems: ['verification did not run']};
	}

	return {ok: result.ok, model, dimension, channels: result.channels, vectors: result.vectors, problems: result.problems};
}
