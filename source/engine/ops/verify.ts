/**
 * `verify`: the guide's consistency checks, each with a count and example ids — orphaned vectors,
 * messages without a vector for the active model, duplicates, dimensions per model, broken blobs
 * (wrong length, NaN, zero norm), and for the live indexes: counts against the database, mapping
 * against index, and self-retrieval on a sample. `fixDuplicates` and `rebuildChannels` are the
 * safe repairs `verify --fix` offers.
 */
import {findInterruption, throwInterruption} from '../migration/interrupted.js';
import {existsSync, mkdirSync, readdirSync, renameSync, rmSync} from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import {openMemoryDatabase} from '../db/connection.js';
import {formatFileStamp} from '../log/format.js';
import {runIndexJob} from '../migration/index-jobs.js';
import {sourceDimension} from '../migration/preflight-checks.js';
import {latestRun, listFailures} from '../run-store/index.js';
import type {Workspace, WorkspacePaths} from '../workspace.js';
import type {ItemStatus} from './report.js';

export type Finding = {id: string; status: ItemStatus; title: string; count: number; examples: string[]; detail: string; fix?: string};

export type VerifyReport = {workspace: string; model: string; dimension: number; ok: boolean; findings: Finding[]; channelsToRebuild: string[]};

const exampleCount = 5;
const textSql = "COALESCE(NULLIF(m.content_processed, ''), m.content)";
const blank = "TRIM(COALESCE(" + textSql + ", ''), ' ' || char(9) || char(10) || char(11) || char(12) || char(13) || char(160) || char(12288)) = ''";
const enabled = "COALESCE(c.vector_enabled, 1) NOT IN (0, '0', 'false', 'False', 'FALSE')";

function finding(id: string, title: string, rows: Array<{example: string}>, count: number, problem: ItemStatus, fix?: string): Finding {
	return {
		id,
		status: count === 0 ? 'ok' : problem,
		title,
		count,
		examples: rows.slice(0, exampleCount).map(row => row.example),
		detail: count === 0 ? 'none' : `${count}`,
		fix: count === 0 ? undefined : fix,
	};
}

function countAndExamples(db: Database.Database, fromWhere: string, example: string, ...parameters: unknown[]): {count: number; rows: Array<{example: string}>} {
	const count = (db.prepare(`SELECT COUNT(*) AS n ${fromWhere}`).get(...parameters) as {n: number}).n;
	const rows = db.prepare(`SELECT ${example} AS example ${fromWhere} LIMIT ${exampleCount}`).all(...parameters) as Array<{example: string}>;
	return {count, rows};
}

/**
 * Target messages without a vector of the active model, each as `<message_id> (channel <id>)`.
 * After a finished migration to that model these are the messages the old bot stored after the
 * switch (or ones that failed): few, and each is listed so the user can see what the rerun embeds.
 * Before one, they can be the whole database: five examples then.
 */
function missingVectors(db: Database.Database, model: string): Finding {
	const run = latestRun(db);
	const afterSwitch = run?.status === 'done' && run.target_model === model;
	const fromWhere = `FROM messages m LEFT JOIN channels c ON c.channel_id = m.channel_id WHERE ${enabled} AND NOT ${blank}
		AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.message_id = m.message_id AND +e.model_version = ?)`;
	const count = (db.prepare(`SELECT COUNT(*) AS n ${fromWhere}`).get(model) as {n: number}).n;
	const examples = (db.prepare(`SELECT m.message_id || ' (channel ' || m.channel_id || ')' AS example ${fromWhere} ORDER BY m.rowid${afterSwitch ? '' : ` LIMIT ${exampleCount}`}`).all(model) as Array<{example: string}>).map(row => row.example);
	const fix = afterSwitch
		? 'stored by the old bot after the switch (or failed): restart the bot, then run `qwen3-migrate migrate` (it embeds them into the live indexes; --retry-failed for failed ones)'
		: 'qwen3-migrate migrate (or --retry-failed) embeds them';
	return {...finding('missing-vectors', `messages without a ${model} vector`, [], count, 'warn', fix), examples};
}

/**
 * Blobs of the wrong length, with NaN or infinite values, or of zero norm. Scanned in chunks of
 * rows with a turn of the event loop between them, so the dashboard stays live during a `v`.
 */
async function blobProblems(db: Database.Database): Promise<{wrongLength: string[]; notFinite: string[]; zeroNorm: string[]; counts: [number, number, number]}> {
	const wrongLength: string[] = [];
	const notFinite: string[] = [];
	const zeroNorm: string[] = [];
	const counts: [number, number, number] = [0, 0, 0];
	const chunk = db.prepare('SELECT id, message_id AS messageId, dimension, vector_data AS blob FROM embeddings WHERE id > ? ORDER BY id LIMIT 2000');
	const rows: Array<{id: number; messageId: string; dimension: number; blob: Buffer}> = [];
	for (let after = 0; ; ) {
		rows.length = 0;
		rows.push(...(chunk.all(after) as typeof rows));
		if (rows.length === 0) {
			break;
		}

		after = rows.at(-1)!.id;
		scanBlobs(rows, {wrongLength, notFinite, zeroNorm, counts});
		await new Promise(resolve => setImmediate(resolve));
	}

	return {wrongLength, notFinite, zeroNorm, counts};
}

function scanBlobs(
	rows: Array<{id: number; messageId: string; dimension: number; blob: Buffer}>,
	found: {wrongLength: string[]; notFinite: string[]; zeroNorm: string[]; counts: [number, number, number]},
): void {
	const {wrongLength, notFinite, zeroNorm, counts} = found;
	for (const row of rows) {
		const label = `${row.messageId} (row ${row.id})`;
		if (!Buffer.isBuffer(row.blob) || row.blob.length !== row.dimension * 4) {
			counts[0]++;
			if (wrongLength.length < exampleCount) {
				wrongLength.push(label);
			}

			continue;
		}

		const vector = new Float32Array(row.blob.buffer.slice(row.blob.byteOffset, row.blob.byteOffset + row.blob.length));
		let sum = 0;
		let finite = true;
		for (const value of vector) {
			if (!Number.isFinite(value)) {
				finite = false;
				break;
			}

			sum += value * value;
		}

		if (!finite) {
			counts[1]++;
			if (notFinite.length < exampleCount) {
				notFinite.push(label);
			}
		} else if (sum === 0) {
			counts[2]++;
			if (zeroNorm.length < exampleCount) {
				zeroNorm.push(label);
			}
		}
	}
}

async function databaseFindings(db: Database.Database, model: string): Promise<Finding[]> {
	const findings: Finding[] = [];
	const orphans = countAndExamples(db, 'FROM embeddings e LEFT JOIN messages m ON m.message_id = e.message_id WHERE m.message_id IS NULL', 'e.message_id');
	findings.push(finding('orphaned-vectors', 'orphaned vectors (no message)', orphans.rows, orphans.count, 'warn', 'harmless to the bot; delete them with SQL if you like'));
	findings.push(missingVectors(db, model));
	const duplicates = countAndExamples(db, 'FROM (SELECT message_id, model_version FROM embeddings GROUP BY message_id, model_version HAVING COUNT(*) > 1)', "message_id || ' (' || model_version || ')'");
	findings.push(finding('duplicates', 'duplicate vectors per (message_id, model_version)', duplicates.rows, duplicates.count, 'warn', 'qwen3-migrate verify --fix keeps the newest of each'));
	const dimensions = db.prepare('SELECT model_version AS model, dimension, COUNT(*) AS n FROM embeddings GROUP BY model_version, dimension ORDER BY model_version, n DESC').all() as Array<{model: string; dimension: number; n: number}>;
	const mixed = [...new Set(dimensions.map(row => row.model))].filter(name => dimensions.filter(row => row.model === name).length > 1);
	findings.push({
		id: 'dimensions',
		status: mixed.length > 0 ? 'fail' : 'ok',
		title: 'dimensions per model',
		count: mixed.length,
		examples: mixed,
		detail: dimensions.length === 0 ? 'no vectors' : dimensions.map(row => `${row.model}: ${row.dimension}-d × ${row.n}`).join('; '),
		fix: mixed.length > 0 ? 'vector dimension mismatch: re-embed with `qwen3-migrate migrate --strategy regenerate`' : undefined,
	});
	const blobs = await blobProblems(db);
	findings.push(
		finding('blob-length', 'vector blobs whose length is not 4 × dimension', blobs.wrongLength.map(example => ({example})), blobs.counts[0], 'fail', 'those rows are unusable: delete them and migrate again to re-embed'),
		finding('blob-nan', 'vectors with NaN or infinite values', blobs.notFinite.map(example => ({example})), blobs.counts[1], 'fail', 'delete them and migrate again to re-embed'),
		finding('blob-zero', 'vectors of zero norm', blobs.zeroNorm.map(example => ({example})), blobs.counts[2], 'warn', 'delete them and migrate again to re-embed'),
	);
	const run = latestRun(db);
	const failures = run ? listFailures(db, run.run_id) : [];
	findings.push(finding('failed-messages', 'messages the last migration could not embed', failures.map(failure => ({example: `${failure.message_id}: ${failure.error}`})), failures.length, 'warn', 'qwen3-migrate migrate --retry-failed'));
	return findings;
}

/** Index checks for the live directory, run in the index worker. */
async function indexFindings(db: Database.Database, paths: WorkspacePaths, model: string, dimension: number, samplePerChannel: number): Promise<{finding: Finding; channels: string[]}> {
	const withVectors = (db.prepare('SELECT DISTINCT channel_id AS id FROM embeddings WHERE model_version = ? AND dimension = ?').all(model, dimension) as Array<{id: string}>).map(row => row.id);
	const files = existsSync(paths.indices) ? readdirSync(paths.indices).filter(name => name.endsWith('.index')).map(name => name.slice(0, -'.index'.length)) : [];
	const stale = files.filter(channel => !withVectors.includes(channel));
	const result = await runIndexJob({task: 'verify', databasePath: paths.database, stagingDir: paths.indices, model, dimension, samplePerChannel}, () => undefined);
	const problems = result.type === 'verified' ? result.problems : ['verification did not run'];
	const broken = [...new Set(problems.map(problem => /^channel (\S+):/.exec(problem)?.[1]).filter((channel): channel is string => channel !== undefined))];
	const examples = [...problems, ...stale.map(channel => `channel ${channel}: index file without ${model} vectors in the database`)];
	return {
		channels: broken,
		finding: {
			id: 'indexes',
			status: broken.length > 0 ? 'fail' : stale.length > 0 ? 'warn' : 'ok',
			title: `live indexes (${model}, ${dimension}-d)`,
			count: broken.length + stale.length,
			examples: examples.slice(0, exampleCount),
			detail: broken.length + stale.length === 0 ? `${withVectors.length} channels: counts, mappings and self-retrieval agree` : `${broken.length} channels disagree with the database${stale.length > 0 ? `, ${stale.length} stale index files` : ''}`,
			fix: broken.length > 0 ? 'qwen3-migrate verify --fix rebuilds those channels\' indexes' : undefined,
		},
	};
}

export async function runVerify(workspace: Workspace, options: {samplePerChannel?: number} = {}): Promise<VerifyReport> {
	const {settings, paths} = workspace;
	const root = paths.root;
	const model = settings.settings.memory_system.embedding_model;
	const db = workspace.openDatabase({queryOnly: true});
	try {
		// Mid-swap, the indexes and settings.json disagree: reading them would report nonsense.
		const interruption = findInterruption(paths, db);
		if (interruption) {
			throwInterruption(interruption);
		}

		const dimension = sourceDimension(db, model);
		const findings = await databaseFindings(db, model);
		let channelsToRebuild: string[] = [];
		if (dimension > 0) {
			const indexes = await indexFindings(db, paths, model, dimension, options.samplePerChannel ?? 20);
			findings.push(indexes.finding);
			channelsToRebuild = indexes.channels;
		}

		return {workspace: root, model, dimension, ok: findings.every(item => item.status === 'ok'), findings, channelsToRebuild};
	} finally {
		db.close();
	}
}

/** Deletes all but the newest row of each (message_id, model_version); returns rows deleted. */
export function fixDuplicates(paths: WorkspacePaths): number {
	const db = openMemoryDatabase(paths.database);
	try {
		return db
			.prepare('DELETE FROM embeddings WHERE id NOT IN (SELECT MAX(id) FROM embeddings GROUP BY message_id, model_version)')
			.run().changes;
	} finally {
		db.close();
	}
}

/** Rebuilds the named channels' live indexes: built aside, then renamed over the old files. */
export async function rebuildChannels(paths: WorkspacePaths, channels: string[], model: string, dimension: number): Promise<void> {
	const staging = `${paths.indices}.qwen3-rebuild-${formatFileStamp(new Date())}`;
	mkdirSync(staging, {recursive: true});
	try {
		await runIndexJob({task: 'build', databasePath: paths.database, stagingDir: staging, model, dimension, channels, samplePerChannel: 0}, () => undefined);
		mkdirSync(paths.indices, {recursive: true});
		for (const name of readdirSync(staging)) {
			renameSync(path.join(staging, name), path.join(paths.indices, name));
		}
	} finally {
		rmSync(staging, {recursive: true, force: true});
	}
}
