/**
 * `plan`: what `migrate` would do, without writing anything — counts, dimensions, strategy, batch
 * sizes, backup size and disk needed, a time estimate measured by embedding a sample of real
 * messages, and the risks. The database is opened query-only; the model is only loaded when its
 * weights are already on disk (a download would write to the cache).
 */
import os from 'node:os';
import {openMemoryDatabase} from '../db/connection.js';
import {Embedder} from '../embed/embedder.js';
import {describeModelSource, resolveModelSource, type ModelSource} from '../embed/model-source.js';
import {isBlankForBot} from '../text/bot-text.js';
import {modelFilesComplete} from './model-availability.js';
import {errorMessage} from '../errors.js';
import type {MigrationSettings} from '../settings/schema.js';
import type {StrategyName} from '../types.js';
import {prepareStrategy, type StrategyQuality} from '../strategies/prepare.js';
import type {Workspace, WorkspacePaths} from '../workspace.js';
import {backupsIntact} from '../migration/backup.js';
import {lockHolder} from '../migration/lock.js';
import {estimateDisk, sourceDimension, type DiskEstimate} from '../migration/preflight-checks.js';
import {formatBytes} from '../util/disk.js';
import {countFailures, latestRun} from '../run-store/index.js';
import {countTargetSet, type TargetCounts} from '../migration/target-set.js';
import type {RemoteFlags} from '../remote/remote-settings.js';
import {planRemote, remotePlanConfigured, type RemoteProbe} from './plan-remote.js';

export type PlanReport = {
	workspace: string;
	source: {model: string; dimension: number};
	target: {model: string; dimension: number | undefined; weights: string};
	strategy: StrategyName;
	batchSize: number;
	counts: TargetCounts & {remaining: number; previouslyFailed: number};
	disk: DiskEstimate;
	/** `endpoints` and `inFlight` when the run goes through embedding servers (plan-remote.ts). */
	probe: ({texts: number; textsPerSecond: number; device: string; estimatedSeconds: number; truncatedInSample: number} & Partial<Pick<RemoteProbe, 'endpoints' | 'inFlight'>>) | undefined;
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

type DatabaseFacts = {
	counts: TargetCounts;
	source: {model: string; dimension: number};
	previouslyFailed: number;
	resumes: boolean;
	backupsReusable: boolean;
	/** A spread of real, non-blank texts to time the model on. */
	probeTexts: string[];
};

/** What the database says: the run so far, the target set and a sample of texts (query-only). */
async function readDatabaseFacts(workspace: Workspace): Promise<DatabaseFacts> {
	const {paths, memory} = workspace;
	const db = workspace.openDatabase({queryOnly: true});
	try {
		const run = latestRun(db);
		const sourceModel = run?.source_model ?? memory.embedding_model;
		const targetDimensionGuess = run?.target_dimension ?? 1024;
		const counts = await countTargetSet(db, {model: memory.migration.target_model, dimension: targetDimensionGuess});
		const total = (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as {n: number}).n;
		const stride = Math.max(1, Math.floor(total / probeSize));
		const probeTexts = (
			db
				.prepare(`SELECT COALESCE(NULLIF(content_processed, ''), content) AS text FROM messages WHERE rowid % ? = 0 LIMIT ?`)
				.all(stride, probeSize * 2) as Array<{text: string}>
		)
			.map(row => row.text)
			.filter(text => typeof text === 'string' && !isBlankForBot(text))
			.slice(0, probeSize);
		return {
			counts,
			source: {model: sourceModel, dimension: sourceDimension(db, sourceModel)},
			previouslyFailed: run ? countFailures(db, run.run_id) : 0,
			resumes: run !== undefined && run.status !== 'done',
			backupsReusable: run !== undefined && run.backup_verified_at !== null && backupsIntact(paths, run.settings_sha256),
			probeTexts,
		};
	} finally {
		db.close();
	}
}

type ProbeResult = Pick<PlanReport, 'probe' | 'strategyQuality' | 'probeSkipped'> & {targetDimension: number | undefined};

/** Times the target model on the sample texts (and measures the strategy), when its weights are on disk. */
async function probeModel(workspace: Workspace, targetSource: ModelSource, facts: DatabaseFacts, batchSize: number, risks: string[]): Promise<ProbeResult> {
	const {memory, paths} = workspace;
	const migration = memory.migration;
	const {probeTexts, counts} = facts;
	const embedder = await Embedder.load({source: targetSource, device: memory.cpu_only_mode ? 'cpu' : migration.device, dtype: migration.dtype, maxTokens: migration.max_tokens, cpuOnlyMode: memory.cpu_only_mode});
	try {
		await embedder.embed(probeTexts.slice(0, Math.min(batchSize, probeTexts.length)));
		const started = performance.now();
		let truncated = 0;
		for (let start = 0; start < probeTexts.length; start += batchSize) {
			const batch = await embedder.tokenizeAsync(probeTexts.slice(start, start + batchSize));
			truncated += batch.truncatedCount;
			await embedder.embedBatch(batch);
		}

		const textsPerSecond = probeTexts.length / ((performance.now() - started) / 1000);
		const remaining = counts.total - counts.done;
		const probe = {texts: probeTexts.length, textsPerSecond, device: embedder.device, estimatedSeconds: remaining / textsPerSecond, truncatedInSample: truncated};
		if (truncated > 0) {
			risks.push(`about ${Math.round((truncated / probeTexts.length) * 100)}% of messages are longer than max_tokens (${migration.max_tokens}) and will be truncated`);
		}

		const strategyQuality = await estimateStrategy(paths, migration, embedder, facts.source, counts.total, risks);
		return {probe, strategyQuality, probeSkipped: undefined, targetDimension: embedder.dimension};
	} finally {
		await embedder.close();
	}
}

/** Risks that come from the machine and the workspace rather than the data. */
function environmentRisks(workspace: Workspace, disk: DiskEstimate, probe: PlanReport['probe'], remaining: number, resumes: boolean): string[] {
	const {memory, paths} = workspace;
	const risks: string[] = [];
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

	if (memory.embedding_model === memory.migration.target_model && !resumes) {
		risks.push(`settings.json already names ${memory.migration.target_model}: migrate would do nothing`);
	}

	return risks;
}

export async function runPlan(workspace: Workspace, options: {batchSize?: number; env?: NodeJS.ProcessEnv; probe?: boolean; remote?: RemoteFlags} = {}): Promise<PlanReport> {
	const {paths, memory} = workspace;
	const migration = memory.migration;
	const batchSize = options.batchSize ?? migration.migration_batch_size;
	const targetSource = resolveModelSource(migration.target_model, {
		localPath: migration.target_model_path,
		root: paths.root,
		endpoint: migration.hf_endpoint,
		cacheDir: migration.model_cache_dir,
		env: options.env,
	});
	const remote = remotePlanConfigured(memory, options.remote ?? {}, options.env ?? process.env, targetSource);
	const risks: string[] = [];
	const facts = await readDatabaseFacts(workspace);
	const {counts} = facts;
	const remaining = counts.total - counts.done;
	let probed: ProbeResult = {probe: undefined, strategyQuality: undefined, probeSkipped: undefined, targetDimension: undefined};
	if (options.probe === false) {
		probed.probeSkipped = 'skipped (--no-probe)';
	} else if (remote) {
		probed = {...(await planRemote(remote, facts.probeTexts, remaining, batchSize, risks)), strategyQuality: undefined};
	} else if (!modelFilesComplete(targetSource, migration.dtype, migration.device)) {
		probed.probeSkipped = `the target model is not on disk yet (${describeModelSource(targetSource)}); migrate downloads it first`;
		risks.push('the target model must be downloaded first: make sure the hub (or HF_ENDPOINT) is reachable, or set migration.target_model_path');
	} else {
		try {
			probed = await probeModel(workspace, targetSource, facts, batchSize, risks);
		} catch (error) {
			probed.probeSkipped = `the model did not load: ${errorMessage(error)}`;
			risks.push('the target model does not load: see `qwen3-migrate check`');
		}
	}

	const disk = estimateDisk(paths, remaining, counts.total, probed.targetDimension ?? 1024, facts.backupsReusable);
	risks.push(...environmentRisks(workspace, disk, probed.probe, remaining, facts.resumes));
	return {
		workspace: paths.root,
		source: facts.source,
		target: {model: migration.target_model, dimension: probed.targetDimension, weights: describeModelSource(targetSource)},
		strategy: migration.strategy,
		batchSize,
		counts: {...counts, remaining, previouslyFailed: facts.previouslyFailed},
		disk,
		probe: probed.probe,
		strategyQuality: probed.strategyQuality,
		probeSkipped: probed.probeSkipped,
		risks,
		resumes: facts.resumes,
	};
}
