/**
 * Worker thread for the synchronous FAISS work: building each channel's IndexFlatL2 from the
 * database in bounded chunks, and verifying staged indexes. The engine's event loop stays free.
 */
import {cpSync, mkdirSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import {parentPort, workerData} from 'node:worker_threads';
import type Database from 'better-sqlite3';
import {openMemoryDatabase} from '../db/connection.js';
import {decodeVector} from '../db/vectors.js';
import {notInvalidRowSql, stateTablesExist} from '../run-store/index.js';
import {blobReason} from './odd-rows.js';
import {FaultInjector} from './faults.js';

/** The ENOSPC seam (enospc@index=N): this thread reads QWEN3_MIGRATE_FAULTS itself. */
const faults = FaultInjector.fromEnvironment(process.env);
import {ChannelIndexBuilder, channelFileStem, readChannelIndex} from '../faiss/index-files.js';
import type {IndexJob, IndexWorkerMessage} from './index-protocol.js';
import {lowerThreadPriority} from '../util/thread-priority.js';

const job = workerData as IndexJob;
lowerThreadPriority();

/**
 * FAISS indexes live in native memory that V8 does not see, so it would not collect finished
 * ones soon enough: memory would grow with the database. A forced collection after each channel
 * (and a turn of the event loop, where N-API finalizers run) frees each index before the next.
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

async function releaseNativeMemory(): Promise<void> {
	collectGarbage();
	await new Promise(resolve => setImmediate(resolve));
}

function post(message: IndexWorkerMessage): void {
	parentPort!.postMessage(message);
}

type ChannelCount = {channelId: string; count: number};

/**
 * Leaves out messages whose new-model row the embed phase found corrupt (odd-rows.ts): recorded as
 * failures, they are in neither the index nor its expected count. The state tables may not exist
 * (an index rebuilt outside a run).
 */
function notCorruptSql(db: Database.Database): string {
	return stateTablesExist(db) ? `AND ${notInvalidRowSql('e')}` : '';
}

/** New-model rows of messages that still exist, newest row per message, grouped by channel. */
function channelCounts(db: Database.Database): ChannelCount[] {
	return db
		.prepare(`
			SELECT e.channel_id AS channelId, COUNT(DISTINCT e.message_id) AS count
			FROM embeddings e JOIN messages m ON m.message_id = e.message_id
			WHERE e.model_version = ? AND e.dimension = ? ${notCorruptSql(db)}
			GROUP BY e.channel_id ORDER BY e.channel_id`)
		.all(job.model, job.dimension) as ChannelCount[];
}

/**
 * Streams a channel's new vectors into a builder in insertion (id) order. When a message has more
 * than one new row, the newest wins; only row ids are held in memory for that, never vectors.
 */
function buildChannel(db: Database.Database, channelId: string): ChannelIndexBuilder {
	const newestRowIds = new Map<string, number>();
	const ids = db
		.prepare(`
			SELECT e.id AS id, e.message_id AS messageId
			FROM embeddings e JOIN messages m ON m.message_id = e.message_id
			WHERE e.channel_id = ? AND +e.model_version = ? AND +e.dimension = ? ${notCorruptSql(db)}`)
		.iterate(channelId, job.model, job.dimension) as Iterable<{id: number; messageId: string}>;
	for (const row of ids) {
		newestRowIds.set(row.messageId, Math.max(row.id, newestRowIds.get(row.messageId) ?? 0));
	}

	const keep = new Set(newestRowIds.values());
	const builder = new ChannelIndexBuilder(job.dimension);
	const rows = db
		.prepare('SELECT id, message_id AS messageId, vector_data AS blob FROM embeddings WHERE channel_id = ? AND +model_version = ? AND +dimension = ? ORDER BY id')
		.iterate(channelId, job.model, job.dimension) as Iterable<{id: number; messageId: string; blob: Buffer}>;
	for (const row of rows) {
		// A corrupt pre-existing row was recorded as a failure by the embed phase: left out, never a crash.
		if (keep.has(row.id) && blobReason(row.blob, job.dimension) === undefined) {
			builder.add(row.messageId, decodeVector(row.blob, job.dimension, `embeddings row ${row.id}`));
		}
	}

	return builder;
}

/** Builds and writes one channel; the builder (and its native index) is garbage once this returns. */
function writeChannel(db: Database.Database, channelId: string): number {
	const builder = buildChannel(db, channelId);
	faults.beforeIndexWrite();
	builder.write(job.stagingDir, channelId);
	return builder.count;
}

async function build(db: Database.Database): Promise<void> {
	if (!job.channels) {
		rmSync(job.stagingDir, {recursive: true, force: true});
	}

	mkdirSync(job.stagingDir, {recursive: true});
	const counts = channelCounts(db).filter(channel => !job.channels || job.channels.includes(channel.channelId));
	let built = 0;
	for (const {channelId} of counts) {
		try {
			channelFileStem(channelId);
		} catch (error) {
			post({type: 'skipped', channelId, reason: (error as Error).message});
			continue;
		}

		const vectors = writeChannel(db, channelId);
		post({type: 'channel', channelId, vectors, built: ++built, channels: counts.length});
		await releaseNativeMemory();
	}

	// Files in the live directory that are not indexes (notes, other tools' files) move over too.
	if (job.liveDir) {
		for (const name of safeReaddir(job.liveDir)) {
			if (!name.endsWith('.index') && !name.endsWith('.mapping')) {
				cpSync(path.join(job.liveDir, name), path.join(job.stagingDir, name), {recursive: true});
			}
		}
	}
}

function safeReaddir(directory: string): string[] {
	try {
		return readdirSync(directory);
	} catch {
		return [];
	}
}

/** Counts, loadability and self-retrieval on a sample, per staged channel. */
async function verify(db: Database.Database): Promise<void> {
	const problems: string[] = [];
	const counts = channelCounts(db);
	let vectors = 0;
	const vectorOf = db.prepare('SELECT vector_data AS blob FROM embeddings WHERE message_id = ? AND +model_version = ? AND +dimension = ? ORDER BY id DESC LIMIT 1');
	for (const {channelId, count} of counts) {
		vectors += verifyChannel(channelId, count, problems, vectorOf);
		await releaseNativeMemory();
	}

	post({type: 'verified', ok: problems.length === 0, channels: counts.length, vectors, problems});
}

/** Checks one staged channel against the database; returns its vector count. */
function verifyChannel(channelId: string, count: number, problems: string[], vectorOf: Database.Statement): number {
	let index;
	try {
		index = readChannelIndex(job.stagingDir, channelId);
	} catch (error) {
		problems.push(`channel ${channelId}: index or mapping does not load: ${(error as Error).message}`);
		return 0;
	}

	if (index.ntotal !== count || index.mapping.idMap.length !== count) {
		problems.push(`channel ${channelId}: index has ${index.ntotal} vectors, mapping ${index.mapping.idMap.length}, database ${count}`);
	}

	if (index.dimension !== job.dimension || index.mapping.dimension !== job.dimension) {
		problems.push(`channel ${channelId}: dimension ${index.dimension} (mapping ${index.mapping.dimension}), expected ${job.dimension}`);
	}

	const sample = Math.min(index.ntotal, job.samplePerChannel);
	for (let step = 0; step < sample; step++) {
		const position = Math.floor((step * index.ntotal) / sample);
		const messageId = index.mapping.idMap[position]!;
		const row = vectorOf.get(messageId, job.model, job.dimension) as {blob: Buffer} | undefined;
		if (!row) {
			problems.push(`channel ${channelId}: mapping names ${messageId}, which has no new vector in the database`);
			continue;
		}

		const result = index.search(decodeVector(row.blob, job.dimension), 1);
		if ((result.distances[0] ?? 1) > 1e-4) {
			problems.push(`channel ${channelId}: message ${messageId} does not retrieve itself (distance ${result.distances[0]})`);
		}
	}

	return index.ntotal;
}

try {
	const db = openMemoryDatabase(job.databasePath, {readonly: true});
	try {
		if (job.task === 'build') {
			await build(db);
			post({type: 'done'});
		} else {
			await verify(db);
		}
	} finally {
		db.close();
	}
} catch (error) {
	post({type: 'error', message: (error as Error).message, stack: (error as Error).stack});
}
