/**
 * Sets up a strategy before anything is written. For pad, truncate and transform it embeds a
 * sample of real messages with the new model and measures how well vectors derived from the old
 * ones retrieve like the new model's (mean cosine and recall@10); transform fits its linear map on
 * 80% of the sample and is judged on the held-out 20%, and stops below the quality threshold.
 */
import type Database from 'better-sqlite3';
import {decodeVector, encodeVector} from '../db/vectors.js';
import {invalidVectorReason} from '../embed/vector-guard.js';
import {botBlankSql} from '../text/bot-text.js';
import {addEmbedded, loadTransform, saveTransform, stateTablesExist} from '../run-store/index.js';
import {AppError, UsageError} from '../errors.js';
import type {EmbeddingBackend} from '../embed-backend.js';
import type {StrategyName, TargetModel, TargetRow} from '../types.js';
import {fitRidge, type LinearMap} from './linear-map.js';
import {mapOldVector, ModelVectorSource, OldVectorSource, type OldVectorMapper, type VectorSource} from './vector-source.js';
import {mappingQuality} from './vector-math.js';

export type StrategyQuality = {sampleSize: number; heldOut: number; meanCosine: number; recallAtK: number};

export type PreparedStrategy = {
	source: VectorSource;
	quality: StrategyQuality | undefined;
	/** Sampled messages and their true new vectors, written before the embed phase. */
	sample: {rows: TargetRow[]; vectors: Float32Array[]} | undefined;
	map: LinearMap | undefined;
};

export type StrategySettings = {sampleSize: number; threshold: number};

const textSql = "COALESCE(NULLIF(m.content_processed, ''), m.content)";
/** The bot's own blank rule, so the sample is drawn from exactly the messages it would embed. */
const blankSql = botBlankSql(textSql);

/** Target messages that have an old vector and no new one, in a fixed pseudo-random order. */
function sampleRows(db: Database.Database, source: {model: string; dimension: number}, target: TargetModel, size: number): Array<TargetRow & {old: Float32Array}> {
	const rows = db
		.prepare(`
			SELECT m.rowid AS rowid, m.message_id AS messageId, m.channel_id AS channelId, m.user_id AS userId, ${textSql} AS text, e.vector_data AS blob
			FROM messages m
			JOIN embeddings e ON e.message_id = m.message_id AND +e.model_version = @sourceModel AND +e.dimension = @sourceDimension
			LEFT JOIN channels c ON c.channel_id = m.channel_id
			WHERE COALESCE(c.vector_enabled, 1) NOT IN (0, '0', 'false', 'False', 'FALSE') AND NOT ${blankSql}
				AND NOT EXISTS (SELECT 1 FROM embeddings t WHERE t.message_id = m.message_id AND +t.model_version = @model AND +t.dimension = @dimension)
			GROUP BY m.message_id
			ORDER BY (m.rowid * 2654435761) % 4294967296
			LIMIT @size`)
		.all({sourceModel: source.model, sourceDimension: source.dimension, size, ...target}) as Array<TargetRow & {blob: Buffer}>;
	return rows.map(({blob, ...row}) => ({...row, old: decodeVector(blob, source.dimension)}));
}

function mapperFor(strategy: Exclude<StrategyName, 'regenerate'>, source: number, target: number, map?: LinearMap): OldVectorMapper {
	if (strategy === 'pad') {
		if (source > target) {
			throw new UsageError(`strategy pad: the old vectors (${source}-d) are longer than the target (${target}-d)`, 'use --strategy truncate, or regenerate');
		}

		return {kind: 'pad'};
	}

	if (strategy === 'truncate') {
		if (source < target) {
			throw new UsageError(`strategy truncate: the old vectors (${source}-d) are shorter than the target (${target}-d)`, 'use --strategy pad, set migration.output_dimension, or regenerate');
		}

		return {kind: 'truncate'};
	}

	return {kind: 'linear', map: map!};
}

/**
 * Embeds the sample with the new model (the truth), fits transform's map on the first 80%, and
 * measures how well the derived vectors retrieve like the truth (transform: on the held-out 20%).
 */
async function measureOnSample(
	strategy: Exclude<StrategyName, 'regenerate'>,
	rows: Array<TargetRow & {old: Float32Array}>,
	model: ModelVectorSource,
	sourceDimension: number,
	targetDimension: number,
): Promise<{truth: Float32Array[]; map: LinearMap | undefined; mapper: OldVectorMapper; quality: StrategyQuality}> {
	const truth: Float32Array[] = [];
	for (let start = 0; start < rows.length; start += 32) {
		const batch = rows.slice(start, start + 32);
		const {result} = await model.produce(batch);
		for (let index = 0; index < batch.length; index++) {
			truth.push(result.vectors.slice(index * targetDimension, (index + 1) * targetDimension));
		}
	}

	const old = rows.map(row => row.old);
	const heldOutFrom = strategy === 'transform' ? Math.floor(rows.length * 0.8) : 0;
	const map = strategy === 'transform' ? fitRidge(old.slice(0, heldOutFrom), truth.slice(0, heldOutFrom)) : undefined;
	const mapper = mapperFor(strategy, sourceDimension, targetDimension, map);
	const mapped = old.map(vector => mapOldVector(mapper, vector, targetDimension));
	const queries = Array.from({length: rows.length - heldOutFrom}, (_value, index) => heldOutFrom + index);
	return {truth, map, mapper, quality: {sampleSize: rows.length, heldOut: queries.length, ...mappingQuality(truth, mapped, queries)}};
}

export async function prepareStrategy(options: {
	strategy: StrategyName;
	db: Database.Database;
	embedder: EmbeddingBackend;
	target: TargetModel;
	source: {model: string; dimension: number};
	targetSetSize: number;
	settings: StrategySettings;
	/** The map a resumed transform run already fitted. */
	storedMap?: LinearMap;
}): Promise<PreparedStrategy> {
	const {strategy, db, embedder, target, source} = options;
	const model = new ModelVectorSource(embedder, target.dimension);
	if (strategy === 'regenerate') {
		return {source: model, quality: undefined, sample: undefined, map: undefined};
	}

	if (source.dimension === 0) {
		throw new UsageError(`strategy ${strategy} derives new vectors from old ones, but there are no ${source.model} vectors`, 'use --strategy regenerate');
	}

	if (options.storedMap) {
		const mapper = mapperFor(strategy, source.dimension, target.dimension, options.storedMap);
		return {source: new OldVectorSource(db, source, mapper, model, target.dimension), quality: undefined, sample: undefined, map: options.storedMap};
	}

	mapperFor(strategy, source.dimension, target.dimension, {rows: 0, columns: 0, weights: new Float32Array()});
	const size = Math.min(options.settings.sampleSize, Math.max(200, Math.floor(options.targetSetSize * 0.1)));
	const rows = sampleRows(db, source, target, size);
	if (rows.length < 20) {
		throw new UsageError(`strategy ${strategy} needs a sample of at least 20 messages with old vectors; found ${rows.length}`, 'use --strategy regenerate');
	}

	const {truth, map, mapper, quality} = await measureOnSample(strategy, rows, model, source.dimension, target.dimension);
	if (strategy === 'transform' && quality.recallAtK < options.settings.threshold) {
		throw new AppError(
			'migration-state',
			`transform is not good enough: recall@10 ${quality.recallAtK.toFixed(3)} < ${options.settings.threshold} (mean cosine ${quality.meanCosine.toFixed(3)}) on ${quality.heldOut} held-out messages; nothing was written`,
			{hint: 'the old and new models are too different for a linear map: use --strategy regenerate (re-embeds from the text)', exitCode: 1},
		);
	}

	return {
		source: new OldVectorSource(db, source, mapper, model, target.dimension),
		quality,
		sample: {rows: rows.map(({old: _old, ...row}) => row), vectors: truth},
		map,
	};
}

/** Writes the sample's true vectors (and a fitted map) in one transaction with the run record. */
export function commitSample(db: Database.Database, runId: string, target: TargetModel, prepared: PreparedStrategy): number {
	return db.transaction(() => {
		let written = 0;
		const insert = db.prepare(`
			INSERT INTO embeddings (message_id, channel_id, user_id, vector_data, model_version, dimension)
			SELECT @messageId, @channelId, @userId, @vector, @model, @dimension
			WHERE EXISTS (SELECT 1 FROM messages WHERE message_id = @messageId)
				AND NOT EXISTS (SELECT 1 FROM embeddings WHERE message_id = @messageId AND +model_version = @model AND +dimension = @dimension)`);
		for (const [index, row] of (prepared.sample?.rows ?? []).entries()) {
			// A sample vector the model got wrong is left to the embed phase, whose guard records it.
			if (invalidVectorReason(prepared.sample!.vectors[index]!)) {
				continue;
			}

			written += insert.run({messageId: row.messageId, channelId: row.channelId, userId: row.userId, vector: encodeVector(prepared.sample!.vectors[index]!), ...target}).changes;
		}

		if (prepared.map && prepared.quality) {
			saveTransform(db, runId, prepared.map, prepared.quality);
		}

		addEmbedded(db, runId, written);
		return written;
	})();
}

/** The map a resumed transform run already fitted (undefined before its sample was committed). */
export function loadStoredMap(db: Database.Database, runId: string): LinearMap | undefined {
	return stateTablesExist(db) ? loadTransform(db, runId) : undefined;
}
