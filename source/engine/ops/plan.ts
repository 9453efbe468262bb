/**
 * `plan`: what `migrate` would do, without writing anything — counts, dimensions, strategy, batch
 * sizes, backup size and disk needed, a time estimate measured by embedding a sample of real
 * messages, and the risks. The database is opened query-only; the model is only loaded when its
 * weights are already on disk (a download would write to the cache).
 */
import os from 'node:os';
import {openMemoryDatabase} from '../db/connection.js';
import {Embedder} from '../embed/embedder.js';
import {describeModelSource, modelFilesPresent, resolveModelSource} from '../embed/model-source.js';
import {errorMessage} from '../errors.js';
import type {MigrationSettings} from '../settings/schema.js';
import {prepareStrategy, type StrategyQuality} from '../strategies/prepare.js';
import type {Workspace, WorkspacePaths} from '../workspace.js';
import {backupsIntact} from '../migration/backup.js';
import {lockHolder} from '../migration/lock.js';
import {estimateDisk, sourceDimension, type DiskEstimate} from '../migration/preflight.js';
import {formatBytes} from '../util/disk.js';
import {countFailures, latestRun} from '../run-store/index.js';
import {countTargetSet, type TargetCounts} from '../migration/target-set.js';

export type PlanReport = {
	workspace: string;
	source: {model: string; dimension: number};
	target: {model: string; dimension: number | undefined; weights: string};
	strategy: string;
	batchSize: number;
	counts: TargetCounts & {remaining: number; previouslyFailed: number};
	disk: DiskEstimate;
	probe: {texts: number; textsPerSecond: number; device: string; estimatedSeconds: number; truncatedInSample: number} | undefined;
	/** pad / truncate / transform: the quality measured on a sample, as the migration would. */
	strategyQuality: StrategyQuality | undefined;
	probeSkipped: string | undefined;
	risks: string[];
	resumes: boolean;
};

const probeSize = 64;

/** The sample measurement the migration makes for pad / truncate / transform, read-only. */
async function estimateStrategy(
	paths: WorkspacePaths,
	migration: MigrationSettings,
	embedder: Embedder,
	source: {model: string; dimension: number},
	targetSetSize: number,
	risks: string[],
): Promise<StrategyQuality | undefined> {
	if (migration.strategy === 'regenerate') {
		return undefined;
	}

	const db = openMemoryDatabase(paths.database, {queryOnly: true});
	try {
		const prepared = await prepareStrategy({
			strategy: migration.strategy,
			db,
			embedder,
			target: {model: migration.target_model, dimension: migration.output_dimension ?? embedder.dimension},
			source,
			targetSetSize,
			settings: {sampleSize: migration.transform_sample_size, threshold: migration.transform_quality_threshold},
		});
		if (prepared.quality && migration.strategy !== 'transform') {
			risks.push(`${migration.strategy} vectors are not comparable with the new model's queries (recall@10 ${prepared.quality.recallAtK.toFixed(2)} on a sample)`);
		}

		return prepared.quality;
	} catch (error) {
		risks.push(`strategy ${migration.strategy}: ${errorMessage(error)}`);
		return undefined;
	} finally {
		db.close();
	}
}

export async function runPlan(workspace: Workspace, options: {batchSize?: number; env?: NodeJS.ProcessEnv; probe?: boolean} = {}): Promise<PlanReport> {
	const {settings, paths} = workspace;
	const root = paths.root;
	const memory = settings.settings.memory_system;
	const migration = memory.migration;
	const batchSize = options.batchSize ?? migration.migration_batch_size;
	const targetSource = resolveModelSource(migration.target_model, {
		localPath: migration.target_model_path,
		root: paths.root,
		endpoint: migration.hf_endpoint,
		cacheDir: migration.model_cache_dir,
		env: options.env,
	});
	const risks: string[] = [];
	const db = workspace.openDatabase({queryOnly: true});
	let probeTexts: string[] = [];
	let counts: TargetCounts;
	let sourceDim: number;
	let sourceModel = memory.embedding_model;
	let previouslyFailed = 0;
	let resumes = false;
	let backupsReusable = false;
	try {
		const run = latestRun(db);
		resumes = run !== undefined && run.status !== 'done';
		backupsReusable = run !== undefined && run.backup_verified_at !== null && backupsIntact(paths, run.settings_sha256);
		previouslyFailed = run ? countFailures(db, run.run_id) : 0;
		sourceModel = run?.source_model ?? memory.embedding_model;
		sourceDim = sourceDimension(db, sourceModel);
		const targetDimensionGuess = run?.target_dimension ?? 1024;
		counts = await countTargetSet(db, {model: migration.target_model, dimension: targetDimensionGuess});
		const total = (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as {n: number}).n;
		const stride = Math.max(1, Math.floor(total / probeSize));
		probeTexts = (
			db
				.prepare(`SELECT COALESCE(NULLIF(content_processed, ''), content) AS text FROM messages WHERE rowid % ? = 0 LIMIT ?`)
				.all(stride, probeSize * 2) as Array<{text: string}>
		)
			.map(row => row.text)
			.filter(text => text.trim() !== '')
			.slice(0, probeSize);
	} finally {
		db.close();
	}

	let probe: PlanReport['probe'];
	let strategyQuality: StrategyQuality | undefined;
	let probeSkipped: string | undefined;
	let targetDimension: number | undefined;
	const remaining = counts.total - counts.done;
	if (options.probe === false) {
		probeSkipped = 'skipped (--no-probe)';
	} else if (!modelFilesPresent(targetSource)) {
		probeSkipped = `the target model is not on disk yet (${describeModelSource(targetSource)}); migrate downloads it first`;
		risks.push('the target model must be downloaded first: make sure the hub (or HF_ENDPOINT) is reachable, or set migration.target_model_path');
	} else {
		try {
			const embedder = await Embedder.load({source: targetSource, device: memory.cpu_only_mode ? 'cpu' : migration.device, dtype: migration.dtype, maxTokens: migration.max_tokens, cpuOnlyMode: memory.cpu_only_mode});
			try {
				targetDimension = embedder.dimension;
				await embedder.embed(probeTexts.slice(0, Math.min(batchSize, probeTexts.length)));
				const started = performance.now();
				let truncated = 0;
				for (let start = 0; start < probeTexts.length; start += batchSize) {
					const batch = await embedder.tokenizeAsync(probeTexts.slice(start, start + batchSize));
					truncated += batch.truncatedCount;
					await embedder.embedBatch(batch);
				}

				const textsPerSecond = probeTexts.length / ((performance.now() - started) / 1000);
				probe = {texts: probeTexts.length, textsPerSecond, device: embedder.device, estimatedSeconds: remaining / textsPerSecond, truncatedInSample: truncated};
				if (truncated > 0) {
					risks.push(`about ${Math.round((truncated / probeTexts.length) * 100)}% of messages are longer than max_tokens (${migration.max_tokens}) and will be truncated`);
				}

				strategyQuality = await estimateStrategy(paths, migration, embedder, {model: sourceModel, dimension: sourceDim}, counts.total, risks);
			} finally {
				await embedder.close();
			}
		} catch (error) {
			probeSkipped = `the model did not load: ${errorMessage(error)}`;
			risks.push('the target model does not load: see `qwen3-migrate check`');
		}
	}

	const disk = estimateDisk(paths, remaining, counts.total, targetDimension ?? 1024, backupsReusable);
	if (disk.freeBytes < disk.neededBytes) {
		risks.push(`not enough free disk: ${formatBytes(disk.freeBytes)} free, about ${formatBytes(disk.neededBytes)} needed`);
	}

	if (os.freemem() < 4 * 2 ** 30) {
		risks.push(`under 4 GB of RAM available (${formatBytes(os.freemem())})`);
	}

	if (probe?.device === 'cpu' && remaining > 50_000) {
		risks.push('a large migration on the CPU: consider a GPU (--device cuda) or run it over night');
	}

	const holder = lockHolder(paths.lock);
	if (holder) {
		risks.push(`a migration is already running (pid ${holder.pid}); migrate would refuse to start`);
	}

	if (memory.embedding_model === migration.target_model && !resumes) {
		risks.push(`settings.json already names ${migration.target_model}: migrate would do nothing`);
	}

	return {
		workspace: root,
		source: {model: sourceModel, dimension: sourceDim},
		target: {model: migration.target_model, dimension: targetDimension, weights: describeModelSource(targetSource)},
		strategy: migration.strategy,
		batchSize,
		counts: {...counts, remaining, previouslyFailed},
		disk,
		probe,
		strategyQuality,
		probeSkipped,
		risks,
		resumes,
	};
}
