/**
 * The progress bar's numbers before any run exists: the target set's size and how many of its
 * messages already have a vector of the target model (an earlier tool, or the bot itself after a
 * switch, may have written them). Read-only: it never creates the run tables.
 */
import {existsSync} from 'node:fs';
import {countEmbeddingsByModel} from '../db/queries.js';
import {missingTables} from '../db/schema.js';
import {countTargetSet} from '../migration/target-set.js';
import type {Workspace} from '../workspace.js';

export type ProgressBaseline = {done: number; total: number};

/** Qwen3-Embedding-0.6B's width, when neither the settings nor any stored row says otherwise. */
const fullTargetDimension = 1024;

/** Undefined when there is nothing to count yet (no database, or not the bot's tables). */
export async function readProgressBaseline(workspace: Workspace): Promise<ProgressBaseline | undefined> {
	if (!existsSync(workspace.paths.database)) {
		return undefined;
	}

	const db = workspace.openDatabase({queryOnly: true, requireSchema: false});
	try {
		if (missingTables(db).length > 0) {
			return undefined;
		}

		const {migration} = workspace.memory;
		// Without loading the model: the configured width, else the width most of the target model's
		// stored rows have (when there are none, no width counts any row as done).
		const stored = countEmbeddingsByModel(db)
			.filter(row => row.model_version === migration.target_model)
			.sort((a, b) => b.count - a.count)[0];
		const dimension = migration.output_dimension ?? stored?.dimension ?? fullTargetDimension;
		const counts = await countTargetSet(db, {model: migration.target_model, dimension});
		return {done: counts.done, total: counts.total};
	} finally {
		db.close();
	}
}
