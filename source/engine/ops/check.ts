/**
 * `check`: the guide's diagnosis script, one item per line. It reads, and never writes or kills
 * anything: settings, the database (readable, quick_check, schema, counts, who holds it open),
 * native modules, model availability, GPU and CUDA, RAM, disk, Node, and a running migration.
 */
import {existsSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type Database from 'better-sqlite3';
import {openMemoryDatabase} from '../db/connection.js';
import {countEmbeddingsByModel} from '../db/queries.js';
import {missingTables} from '../db/schema.js';
import {cudaStatus} from '../embed/devices.js';
import type {DownloadProgress} from '../embed/download.js';
import {resolveModelSource, type ModelSource} from '../embed/model-source.js';
import {AppError, errorMessage} from '../errors.js';
import {findInterruption} from '../migration/interrupted.js';
import {lockHolder} from '../migration/lock.js';
import {assertDiskSpace, estimateDisk} from '../migration/preflight-checks.js';
import {formatBytes} from '../util/disk.js';
import {latestRun, type RunRecord} from '../run-store/index.js';
import {countTargetSet} from '../migration/target-set.js';
import {GpuSampler, type GpuReading} from '../monitor/gpu.js';
import type {Settings} from '../settings/schema.js';
import type {LenientWorkspace, WorkspacePaths} from '../workspace.js';
import {checkGolden, checkModel} from './model-availability.js';
import {apiKeyFrom, parseEndpointList} from '../remote/open-backend.js';
import {describeEndpointUrls, type EndpointReport} from '../remote/probe.js';
import {qwen3Dimension} from '../remote/remote-settings.js';
import {checkNativeModules} from './native-modules.js';
import {processesHolding} from './processes.js';
import type {ReportItem} from './report.js';

export type CheckOptions = {
	env?: NodeJS.ProcessEnv;
	fetcher?: typeof fetch;
	/** GPU reading (tests inject one; default: one nvidia-smi query). */
	gpu?: () => Promise<GpuReading>;
	availableMemoryBytes?: () => number;
	/** Also embed the model card's queries and documents and compare the scores (`--golden`). */
	golden?: boolean;
	/** Progress of the target model's download when --golden needs weights that are not on disk. */
	onDownload?: (progress: DownloadProgress) => void;
	/** Ctrl+C: stops --golden's download (the check then throws; the `.part` files resume) and the endpoint probes. */
	signal?: AbortSignal;
	/** Embedding servers to probe (`--endpoint`, comma-separated), over settings' migration.endpoints. */
	endpoint?: string | undefined;
	remoteModel?: string | undefined;
};

export type CheckReport = {workspace: string; ok: boolean; items: ReportItem[]};

/** Qwen3-Embedding-0.6B's size when the model is not on disk to ask. */
const assumedTargetDimension = 1024;

async function defaultGpu(): Promise<GpuReading> {
	const sampler = new GpuSampler();
	sampler.read();
	return sampler.settle();
}

function nodeItem(): ReportItem {
	const major = Number(process.versions.node.split('.')[0]);
	return major >= 20
		? {id: 'node', status: 'ok', title: 'Node.js', detail: process.version}
		: {id: 'node', status: 'fail', title: 'Node.js', detail: `${process.version} is too old`, fix: 'install Node.js 20 or newer'};
}

async function databaseItems(paths: WorkspacePaths, settings: Settings, items: ReportItem[]): Promise<{db?: Database.Database; remaining: number; total: number}> {
	if (!existsSync(paths.database)) {
		items.push({id: 'database', status: 'fail', title: 'database', detail: `${paths.database} not found`, fix: 'check memory_system.database_path, or pass --workspace DIR'});
		return {remaining: 0, total: 0};
	}

	let db: Database.Database;
	try {
		db = openMemoryDatabase(paths.database, {queryOnly: true, requireSchema: false});
		const check = db.pragma('quick_check', {simple: true}) as string;
		if (check !== 'ok') {
			items.push({id: 'database', status: 'fail', title: 'database', detail: `quick_check: ${check}`, fix: 'restore it: cp data/memory/memory.db.backup data/memory/memory.db'});
			return {db, remaining: 0, total: 0};
		}
	} catch (error) {
		items.push({id: 'database', status: 'fail', title: 'database', detail: errorMessage(error), fix: error instanceof AppError ? error.hint : undefined});
		return {remaining: 0, total: 0};
	}

	items.push({id: 'database', status: 'ok', title: 'database', detail: `${paths.database} (${formatBytes(statSync(paths.database).size)}, quick_check ok)`});
	const missing = missingTables(db);
	if (missing.length > 0) {
		items.push({id: 'schema', status: 'fail', title: 'schema', detail: `no such table: ${missing.join(', ')}`, fix: 'start the bot once so it creates its tables, or point database_path at the right file'});
		return {db, remaining: 0, total: 0};
	}

	items.push({id: 'schema', status: 'ok', title: 'schema', detail: 'channels, messages and embeddings present'});
	const byModel = countEmbeddingsByModel(db);
	items.push({
		id: 'vectors',
		status: 'ok',
		title: 'vectors',
		detail: byModel.length === 0 ? 'none yet' : byModel.map(row => `${row.model_version} ${row.dimension}-d × ${row.count}`).join('; '),
	});
	const counts = await countTargetSet(db, {model: settings.memory_system.migration.target_model, dimension: assumedTargetDimension});
	return {db, remaining: counts.total - counts.done, total: counts.total};
}

/** Who has the database open, and the migration's state (running elsewhere, or its last run). */
function processItems(paths: WorkspacePaths, db: Database.Database | undefined): ReportItem[] {
	const items: ReportItem[] = [];
	const holders = processesHolding(paths.database);
	items.push({
		id: 'processes',
		status: 'ok',
		title: 'processes using the database',
		detail: holders.length === 0 ? 'none' : holders.map(holder => `${holder.name} (pid ${holder.pid})`).join(', '),
	});
	const migration = lockHolder(paths.lock);
	if (migration) {
		items.push({id: 'migration', status: 'warn', title: 'migration', detail: `${migration.command} running (pid ${migration.pid} since ${migration.startedAt})`, fix: 'watch it with `qwen3-migrate dashboard --read-only`'});
	} else if (findInterruption(paths, db)) {
		const interruption = findInterruption(paths, db)!;
		items.push({id: 'migration', status: 'fail', title: 'migration', detail: interruption.detail, fix: interruption.fix});
	} else if (db) {
		const run = latestRun(db);
		const counts = run && `(${run.target_done}/${run.target_total})`;
		const detail = !run ? 'none started' : run.status === 'done' && run.cutover_at ? `done: cut over from ${run.source_model} to ${run.target_model} at ${run.cutover_at} ${counts}` : `last run ${run.status} at phase ${run.phase} ${counts}`;
		items.push({id: 'migration', status: 'ok', title: 'migration', detail});
	}

	return items;
}

/** The GPU (and whether onnxruntime can use it) and the free RAM. */
async function machineItems(options: CheckOptions): Promise<ReportItem[]> {
	const items: ReportItem[] = [];
	const gpu = await (options.gpu ?? defaultGpu)();
	const cuda = cudaStatus();
	items.push(
		gpu.available
			? {id: 'gpu', status: cuda.available ? 'ok' : 'warn', title: 'GPU', detail: `${gpu.name}, ${gpu.memoryUsedMb}/${gpu.memoryTotalMb} MiB used${cuda.available ? ', CUDA provider installed' : `; ${cuda.reason}`}`, fix: 'ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node'}
			: {id: 'gpu', status: 'ok', title: 'GPU', detail: `none (${gpu.reason}): the migration runs on the CPU`},
	);
	const available = (options.availableMemoryBytes ?? os.freemem)();
	items.push(
		available < 4 * 2 ** 30
			? {id: 'ram', status: 'warn', title: 'RAM', detail: `${formatBytes(available)} available (under 4 GB)`, fix: 'close other programs or add swap; use a smaller --batch-size'}
			: {id: 'ram', status: 'ok', title: 'RAM', detail: `${formatBytes(available)} available of ${formatBytes(os.totalmem())}`},
	);
	return items;
}

/**
 * The source model's item. Once the bot's profile names the target model (after a cut-over, or set
 * up that way), memory.embedding_model is no longer the source: the run record names the old one.
 */
async function sourceModelItem(memory: Settings['memory_system'], lastRun: RunRecord | undefined, check: (modelId: string) => Promise<ReportItem>): Promise<ReportItem> {
	const {embedding_model: botModel, migration} = memory;
	if (botModel !== migration.target_model) {
		return check(botModel);
	}

	if (lastRun?.status === 'done' && lastRun.cutover_at && lastRun.target_model === botModel) {
		return {id: 'model-source', status: 'ok', title: `source model ${lastRun.source_model}`, subject: lastRun.source_model, detail: `migration done: the bot uses ${botModel}; the source model is no longer needed`};
	}

	return {id: 'model-source', status: 'ok', title: 'source model', detail: `none: the bot already uses the target model ${botModel}`};
}

/** Both models' files for the configured dtype, the golden check when asked, and each embedding server. */
async function modelItems(root: string, memory: Settings['memory_system'], lastRun: RunRecord | undefined, options: CheckOptions): Promise<ReportItem[]> {
	const {migration} = memory;
	const modelOptions = {root, endpoint: migration.hf_endpoint, cacheDir: migration.model_cache_dir, env: options.env};
	const device = memory.cpu_only_mode ? 'cpu' : migration.device;
	const target = resolveModelSource(migration.target_model, {...modelOptions, localPath: migration.target_model_path});
	const items = [
		await checkModel('target', target, {fetcher: options.fetcher, dtype: migration.dtype, device}),
		await sourceModelItem(memory, lastRun, async modelId => checkModel('source', resolveModelSource(modelId, {...modelOptions, localPath: migration.source_model_path}), {fetcher: options.fetcher})),
	];
	if (options.golden) {
		items.push(await checkGolden(target, {dtype: migration.dtype, device, maxTokens: migration.max_tokens, onDownload: options.onDownload, signal: options.signal}));
	}

	const endpoints = parseEndpointList(options.endpoint === undefined ? migration.endpoints : [options.endpoint]);
	if (endpoints.length > 0) {
		const reports = await describeEndpointUrls(endpoints, {
			targetModel: migration.target_model,
			remoteModel: options.remoteModel ?? migration.remote_model ?? undefined,
			expectedDimension: migration.output_dimension ?? configuredWidth(target) ?? qwen3Dimension,
			apiKey: apiKeyFrom(options.env ?? process.env, migration.api_key_env),
			signal: options.signal,
		});
		items.push(...reports.map(report => endpointItem(report)));
	}

	return items;
}

/** The local target model's hidden size from its config.json (what a server must answer), if it is on disk. */
export function configuredWidth(source: ModelSource): number | undefined {
	if (source.kind !== 'local') {
		return undefined;
	}

	try {
		const config = JSON.parse(readFileSync(path.join(source.directory, 'config.json'), 'utf8')) as {hidden_size?: unknown};
		return typeof config.hidden_size === 'number' ? config.hidden_size : undefined;
	} catch {
		return undefined;
	}
}

function endpointItem(report: EndpointReport): ReportItem {
	const title = `endpoint ${report.url}`;
	if (report.problem) {
		return {id: 'endpoint', status: 'fail', title, subject: report.url, detail: report.problem, fix: 'check the server is up and serves the target model; see `qwen3-migrate migrate --help` (--endpoint)'};
	}

	const detail = `reachable, model ${report.model ?? '?'}, ${report.dimension ?? '?'}-d, ${Math.round(report.latencyMs ?? 0)} ms${report.warnings.length > 0 ? `; ${report.warnings.join('; ')}` : ''}`;
	return {id: 'endpoint', status: report.warnings.length > 0 ? 'warn' : 'ok', title, subject: report.url, detail};
}

/** Checks a workspace whose settings may be broken (that is one of the things it reports). */
export async function runCheck(workspace: LenientWorkspace, options: CheckOptions = {}): Promise<CheckReport> {
	const {paths, settingsError} = workspace;
	const root = paths.root;
	const items: ReportItem[] = [nodeItem()];
	const settings: Settings | undefined = workspace.settings?.settings;
	if (settings) {
		items.push({id: 'settings', status: 'ok', title: 'settings', detail: `${paths.settings} valid (profile ${settings.memory_system.profile}, model ${settings.memory_system.embedding_model})`});
	} else {
		items.push({id: 'settings', status: 'fail', title: 'settings', detail: errorMessage(settingsError), fix: (settingsError as AppError).hint});
	}

	let database: {db?: Database.Database; remaining: number; total: number} = {remaining: 0, total: 0};
	if (settings) {
		database = await databaseItems(paths, settings, items);
	}

	let lastRun: RunRecord | undefined;
	try {
		items.push(...processItems(paths, database.db));
		lastRun = database.db && latestRun(database.db);
	} finally {
		database.db?.close();
	}

	items.push(...checkNativeModules());
	if (settings) {
		items.push(...(await modelItems(root, settings.memory_system, lastRun, options)));
	}

	items.push(...(await machineItems(options)));
	if (settings && existsSync(paths.database)) {
		const estimate = estimateDisk(paths, database.remaining, database.total, assumedTargetDimension, false);
		try {
			assertDiskSpace(estimate, root);
			items.push({id: 'disk', status: 'ok', title: 'disk', detail: `${formatBytes(estimate.freeBytes)} free; a migration needs about ${formatBytes(estimate.neededBytes)}`});
		} catch (error) {
			items.push({id: 'disk', status: 'fail', title: 'disk', detail: errorMessage(error), fix: (error as AppError).hint});
		}
	}

	return {workspace: root, ok: !items.some(item => item.status === 'fail'), items};
}
