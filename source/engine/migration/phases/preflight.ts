/**
 * Preflight: nothing is written yet. Checks that a resumed run still matches its settings, counts
 * the target set, prepares the strategy (pad/truncate/transform measure their quality on a sample)
 * and makes sure the disk holds backups, new rows and new indexes.
 */
import type {EmbeddingBackend} from '../../embed-backend.js';
import {AppError, UsageError} from '../../errors.js';
import {checkOutputDimension} from '../../embed/profile-dimension.js';
import {logText} from '../../log/messages.js';
import {loadStoredMap, prepareStrategy, type PreparedStrategy} from '../../strategies/prepare.js';
import type {RunRecord} from '../../run-store/index.js';
import type {MemorySystemSettings} from '../../settings/schema.js';
import type {StrategyName} from '../../types.js';
import {backupsIntact} from '../backup.js';
import {refreshCounts} from '../context.js';
import {assertDiskSpace, estimateDisk, sourceDimension} from '../preflight-checks.js';
import type {TargetModel} from '../target-set.js';
import type {PhaseStep} from './phase.js';

export type PreflightInput = {previous: RunRecord | undefined; strategy: StrategyName; sourceModel: string};
export type PreflightOutput = {prepared: PreparedStrategy; backupsReusable: boolean};

/**
 * migration.output_dimension against the profile the cut-over switches to (profile-dimension.ts):
 * throws the configuration error (exit 2) unless overridden; returns the override's warning.
 */
export function checkProfileDimension(memory: MemorySystemSettings, profile: string, allowMismatch = false): string | undefined {
	const decision = checkOutputDimension(memory.migration.output_dimension, profile, allowMismatch);
	if (!decision.ok) {
		throw decision.error;
	}

	return decision.warning;
}

/** The model and dimension new rows get; a resumed run must not change them, nor its strategy. */
export function resolveTarget(memory: MemorySystemSettings, embedder: EmbeddingBackend, previous: RunRecord | undefined, strategy: StrategyName): TargetModel {
	const outputDimension = memory.migration.output_dimension ?? embedder.dimension;
	if (outputDimension > embedder.dimension) {
		throw new UsageError(
			`memory_system.migration.output_dimension ${outputDimension}: expected 32 to ${embedder.dimension} (the model's dimension)`,
			`set it to at most ${embedder.dimension}, or null to keep every dimension`,
		);
	}

	if (previous && previous.strategy !== strategy) {
		throw new AppError('migration-state', `this migration started with strategy ${previous.strategy}, not ${strategy}`, {
			hint: `run it with --strategy ${previous.strategy} to finish it, or \`qwen3-migrate rollback\` and start again`,
			exitCode: 2,
		});
	}

	if (previous && previous.target_dimension !== outputDimension) {
		throw new AppError('migration-state', `the target model now gives ${outputDimension}-d vectors, but this migration started with ${previous.target_dimension}-d`, {
			hint: 'point migration.target_model_path back at the same model, or `qwen3-migrate rollback` and start again',
			exitCode: 2,
		});
	}

	return {model: memory.migration.target_model, dimension: outputDimension};
}

export const preflightPhase: PhaseStep<PreflightInput, PreflightOutput> = {
	phase: 'preflight',
	resumes: 'runs again in full: it only reads, and a resumed transform reuses the map stored with its run',
	async run(context, {previous, strategy, sourceModel}) {
		const {db, target, settings: memory, paths, counters} = context;
		context.log('INFO', logText.migrationStart(sourceModel, target.model));
		const source = {model: sourceModel, dimension: sourceDimension(db, sourceModel)};
		context.log('INFO', logText.dimensionChange(source.dimension, target.dimension));
		context.log('INFO', logText.strategy(strategy));
		await refreshCounts(context);
		const prepared = await prepareStrategy({
			strategy,
			db,
			embedder: context.embedder,
			target,
			source,
			targetSetSize: counters.total,
			settings: {sampleSize: memory.migration.transform_sample_size, threshold: memory.migration.transform_quality_threshold},
			storedMap: previous ? loadStoredMap(db, previous.run_id) : undefined,
		});
		context.vectors = prepared.source;
		if (prepared.quality) {
			context.events.emit('strategy:quality', {strategy, ...prepared.quality});
		}

		context.log('INFO', logText.totalVectors(counters.total));
		if (counters.blank > 0) {
			context.log('INFO', logText.blankSkipped(counters.blank));
		}

		const backupsReusable = previous?.backup_verified_at != null && backupsIntact(paths, previous.settings_sha256);
		assertDiskSpace(estimateDisk(paths, counters.total - counters.done, counters.total, target.dimension, backupsReusable), paths.root);
		return {prepared, backupsReusable};
	},
};
