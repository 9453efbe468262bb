import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {Embedder, type EmbedderOptions} from '../../../source/engine/embed/embedder.js';
import type {Device} from '../../../source/engine/embed/protocol.js';
import type {EmbeddingBackend} from '../../../source/engine/embed-backend.js';
import {FaultInjector, injectedOutOfMemoryMessage} from '../../../source/engine/migration/faults.js';
import {Migration, type MigrationOutcome} from '../../../source/engine/migration/migration.js';
import {listFailures, latestRun} from '../../../source/engine/run-store/index.js';
import {demoWorkspace, targetMessageIds, targetRows} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

const faults = (text: string) => FaultInjector.fromEnvironment({QWEN3_MIGRATE_FAULTS: text});

function logOf(outcome: MigrationOutcome): string {
	assert.ok(outcome.status === 'done' || outcome.status === 'aborted', `unexpected outcome ${outcome.status}`);
	return readFileSync(outcome.logFile, 'utf8');
}

/**
 * A seam for what this machine lacks: the real CPU embedder, reporting itself as on CUDA until
 * asked to switch. Combined with the `oom@device=cuda` fault it stands in for a GPU running out of
 * memory.
 */
class SimulatedCudaEmbedder implements EmbeddingBackend {
	simulatedDevice: Device = 'cuda';

	constructor(private readonly real: Embedder) {}

	get modelId() {
		return this.real.modelId;
	}

	get dimension() {
		return this.real.dimension;
	}

	get device() {
		return this.simulatedDevice;
	}

	tokenizeAsync: EmbeddingBackend['tokenizeAsync'] = async texts => this.real.tokenizeAsync(texts);
	encodeAsync: EmbeddingBackend['encodeAsync'] = async texts => this.real.encodeAsync(texts);
	padEncoded: EmbeddingBackend['padEncoded'] = encoded => this.real.padEncoded(encoded);
	embedBatch: EmbeddingBackend['embedBatch'] = async batch => this.real.embedBatch(batch);

	async switchDevice(device: Device): Promise<void> {
		this.simulatedDevice = device;
		return Promise.resolve();
	}

	async close(): Promise<void> {
		await this.real.close();
	}
}

describe('migration failures', () => {
	it('halves the batch on out of memory and finishes', async () => {
		const paths = await demoWorkspace();
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 32, faults: faults('oom@size>8')});
		const sizes: Array<[number, number, string]> = [];
		migration.events.on('batch:size:change', ({from, to, reason}) => sizes.push([from, to, reason]));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.deepEqual(sizes, [[32, 16, 'oom'], [16, 8, 'oom']]);
		assert.equal(outcome.status === 'done' && outcome.failed, 0);
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
		assert.match(logOf(outcome), / - ERROR - 批次遷移失敗 \(offset=\d+\): .*CUDA failure 2: out of memory/);
	});

	it('re-splits batches planned at the old size once the batch has been halved: one out-of-memory error per batch in flight, not one per planned batch', async () => {
		const paths = await demoWorkspace();
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 32, faults: faults('oom@size>16')});
		const oomSizes: number[] = [];
		const modelCallSizes: number[] = [];
		migration.events.on('batch:error', ({kind, size}) => kind === 'oom' && oomSizes.push(size));
		migration.events.on('batch:start', ({size}) => modelCallSizes.push(size));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.equal(outcome.status === 'done' && outcome.failed, 0);
		assert.equal(migration.control.batchSize, 16);
		// Two batches are in flight when the first one fails; everything planned after is sent at 16.
		assert.ok(oomSizes.length >= 1 && oomSizes.length <= 2, `out-of-memory errors at sizes ${oomSizes.join(', ')}`);
		const log = logOf(outcome);
		assert.equal(log.match(/CUDA failure 2: out of memory/g)?.length, oomSizes.length, 'one log line per out-of-memory error');
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
		assert.ok(modelCallSizes.length > 10, `${modelCallSizes.length} model calls`);
	});

	it('moves to the CPU when even one message runs out of GPU memory', async () => {
		const paths = await demoWorkspace();
		const loadEmbedder = async (options: EmbedderOptions) => new SimulatedCudaEmbedder(await Embedder.load({...options, device: 'cpu'}));
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 4, faults: faults('oom@device=cuda'), loadEmbedder});
		const devices: string[] = [];
		migration.events.on('device:change', ({from, to, reason}) => devices.push(`${from}->${to}:${reason}`));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.deepEqual(devices, ['cuda->cpu:oom']);
		const log = logOf(outcome);
		assert.match(log, / - WARNING - GPU 記憶體不足，切換到 CPU 模式\n/);
		assert.match(log, / - INFO - 繼續使用 CPU 進行遷移\.\.\.\n/);
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
	});

	/** Every message says the same thing: each batch gives the model one text, its duplicates ride along. */
	function sameTextEverywhere(databaseFile: string): void {
		const db = new Database(databaseFile);
		db.prepare("UPDATE messages SET content = 'ok', content_processed = NULL").run();
		db.close();
	}

	it('moves to the CPU without halving the batch when a batch of one text (its duplicates riding along) runs out of GPU memory', async () => {
		const paths = await demoWorkspace();
		sameTextEverywhere(paths.database);
		const loadEmbedder = async (options: EmbedderOptions) => new SimulatedCudaEmbedder(await Embedder.load({...options, device: 'cpu'}));
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 32, faults: faults('oom@device=cuda'), loadEmbedder});
		const sizes: Array<[number, number]> = [];
		const devices: string[] = [];
		migration.events.on('batch:size:change', ({from, to}) => sizes.push([from, to]));
		migration.events.on('device:change', ({from, to, reason}) => devices.push(`${from}->${to}:${reason}`));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.deepEqual(devices, ['cuda->cpu:oom']);
		assert.deepEqual(sizes, [], 'halving a batch of one text cannot help; the size stays for the rest of the run');
		assert.equal(migration.control.batchSize, 32);
		assert.equal(outcome.status === 'done' && outcome.failed, 0);
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
	});

	it('on the CPU after the move, still gives the model that text once (its copies are not sent as a batch of their own)', async () => {
		const paths = await demoWorkspace();
		sameTextEverywhere(paths.database);
		const loadEmbedder = async (options: EmbedderOptions) => new SimulatedCudaEmbedder(await Embedder.load({...options, device: 'cpu'}));
		// More than one text in a call runs out of memory, on either device.
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 32, faults: faults('oom@device=cuda,oom@size>1'), loadEmbedder});
		const sizes: Array<[number, number]> = [];
		const calls: number[] = [];
		migration.events.on('batch:size:change', ({from, to}) => sizes.push([from, to]));
		migration.events.on('batch:start', ({size}) => calls.push(size));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.deepEqual(sizes, []);
		assert.equal(migration.control.batchSize, 32);
		assert.equal(outcome.status === 'done' && outcome.failed, 0);
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
		assert.ok(calls.length <= 4, `${calls.length} model calls for one text`);
	});

	it('writes off the rows of a text that runs out of memory on the CPU in one go: no call per copy, no cut in the batch size', async () => {
		const paths = await demoWorkspace();
		sameTextEverywhere(paths.database);
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 32, faults: faults('oom@size>0')});
		const sizes: Array<[number, number]> = [];
		const outOfMemory: number[] = [];
		migration.events.on('batch:size:change', ({from, to}) => sizes.push([from, to]));
		migration.events.on('batch:error', ({size}) => outOfMemory.push(size));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.deepEqual(sizes, []);
		assert.equal(outcome.status === 'done' && outcome.failed, targetMessageIds(paths.database).length);
		assert.equal(targetRows(paths.database).length, 0);
		assert.deepEqual(outOfMemory, [targetMessageIds(paths.database).length], 'one failed model call, for the batch that carried every copy');
	});

	it('ends when the GPU runs out for good mid-run: rows of texts embedded earlier are committed from memory, the rest written off, no endless retry', {timeout: 180_000}, async () => {
		// More than one window (2048 rows) of a corpus full of repeats: the second window carries texts the first embedded.
		const paths = await demoWorkspace({messages: 3400, corpus: 'zipf'});
		const db = new Database(paths.database, {readonly: true});
		const later = new Set((db.prepare('SELECT message_id AS id FROM messages WHERE message_id IN (SELECT message_id FROM embeddings) ORDER BY rowid LIMIT -1 OFFSET 2100').all() as Array<{id: string}>).map(row => row.id));
		db.close();
		/** Out of GPU memory for every model call that touches a message past the first window (another process took the memory). */
		class GpuTakenMidRun extends FaultInjector {
			injected = 0;
			override async beforeModelCall(call: {messageIds: readonly string[]; modelRows?: number}): Promise<void> {
				// A bound, so that an endless retry fails this test instead of hanging it.
				if (this.injected < 5000 && (call.modelRows ?? call.messageIds.length) > 0 && call.messageIds.some(id => later.has(id))) {
					this.injected++;
					throw new Error(injectedOutOfMemoryMessage);
				}

				return Promise.resolve();
			}
		}

		const faults = new GpuTakenMidRun([]);
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 32, faults});
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.ok(faults.injected < 1000, `${faults.injected} out-of-memory errors: each row is tried a bounded number of times`);
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.ok([...later].some(id => migrated.has(id)), 'rows past the first window whose text was embedded before are committed from memory');
		assert.ok(outcome.status === 'done' && outcome.failed > 0, 'the new texts past the first window are written off');
		assert.equal(migrated.size + (outcome.status === 'done' ? outcome.failed : 0), targetMessageIds(paths.database).length, 'every message has a vector or a recorded failure');
	});

	it('isolates a poison message, records and reports it, and migrates all the others', async () => {
		const paths = await demoWorkspace();
		const ids = targetMessageIds(paths.database);
		const poison = ids[Math.floor(ids.length / 2)]!;
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 16, faults: faults(`fail@message=${poison}`)});
		const recorded: string[] = [];
		migration.events.on('failure:record', ({messageId}) => recorded.push(messageId));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.deepEqual(recorded, [poison]);
		assert.equal(outcome.status === 'done' && outcome.failed, 1);
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		assert.equal(migrated.size, ids.length - 1);
		assert.ok(!migrated.has(poison));
		const db = new Database(paths.database, {readonly: true});
		const failures = listFailures(db, latestRun(db)!.run_id);
		db.close();
		assert.deepEqual(failures.map(failure => failure.message_id), [poison]);
		assert.match(logOf(outcome), new RegExp(` - INFO - 向量遷移完成: 成功 ${ids.length - 1}/${ids.length}, 成功率 99\\.\\d\\d%`));
	});

	it('waits out a locked database and reports it, losing nothing', async () => {
		const paths = await demoWorkspace();
		const migration = new Migration({workspace: openWorkspace(paths.root), faults: faults('busy@commit=2')});
		const busy: number[] = [];
		migration.events.on('db:busy', ({attempt}) => busy.push(attempt));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.deepEqual(busy, [1]);
		assert.match(logOf(outcome), /資料庫鎖定 \(database is locked\)/);
		assert.equal(targetRows(paths.database).length, targetMessageIds(paths.database).length);
	});

	it('raises a stall event when no batch commits for 5× the median batch time', async () => {
		const paths = await demoWorkspace();
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 8, faults: faults('slow@batch=12:3500')});
		const stalls: number[] = [];
		migration.events.on('run:stall', ({idleMs}) => stalls.push(idleMs));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.equal(stalls.length, 1);
		assert.ok(stalls[0]! >= 2000);
		assert.match(logOf(outcome), / - WARNING - 遷移進度: \d+\.\d% \(stuck\)/);
	});

	it('shrinks the batch and warns when free RAM falls below memory_threshold_mb', async () => {
		const paths = await demoWorkspace();
		let freeMb = 8000;
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 16, faults: new FaultInjector([]), freeMemoryMb: () => freeMb});
		const low: number[] = [];
		migration.events.on('memory:low', ({freeMb: free}) => low.push(free));
		migration.events.on('batch:commit:done', () => {
			freeMb = 100;
		});
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.ok(low.length >= 1);
		assert.equal(migration.control.batchSize < 16, true);
		assert.match(logOf(outcome), /可用記憶體不足: 100 MB < memory_threshold_mb \d+ MB/);
	});

	it('stops cleanly on abort and resumes from the checkpoint without duplicates', async () => {
		const paths = await demoWorkspace();
		const first = new Migration({workspace: openWorkspace(paths.root), batchSize: 8, faults: new FaultInjector([])});
		let commits = 0;
		first.events.on('batch:commit:done', () => {
			if (++commits === 5) {
				first.control.abort();
			}
		});
		const stopped = await first.run();
		assert.equal(stopped.status, 'aborted');
		const partial = targetRows(paths.database).length;
		assert.ok(partial > 0 && partial < targetMessageIds(paths.database).length, `committed ${partial}`);
		const second = await new Migration({workspace: openWorkspace(paths.root), faults: new FaultInjector([])}).run();
		assert.equal(second.status, 'done');
		const rows = targetRows(paths.database);
		assert.equal(new Set(rows.map(row => row.message_id)).size, rows.length, 'no duplicates');
		assert.equal(rows.length, targetMessageIds(paths.database).length);
		assert.match(logOf(second), /從檢查點繼續遷移/);
	});

	it('pauses and resumes on command', async () => {
		const paths = await demoWorkspace();
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 8, faults: new FaultInjector([])});
		const seen: string[] = [];
		let commits = 0;
		migration.events.on('control:paused', () => seen.push('paused'));
		migration.events.on('control:resumed', () => seen.push('resumed'));
		migration.events.on('batch:commit:done', () => {
			commits++;
			if (commits === 3) {
				migration.control.pause();
				setTimeout(() => {
					seen.push(`commits while paused: ${commits - 3 <= 2}`);
					migration.control.resume();
				}, 300);
			}
		});
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.deepEqual(seen, ['paused', 'commits while paused: true', 'resumed']);
	});
});
