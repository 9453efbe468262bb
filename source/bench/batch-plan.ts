/**
 * The batch plan a migration ran, recorded by migrate-child and replayed by raw-child, so that
 * "the model alone" runs exactly the migration's batches (same texts, grouping, padding, order),
 * on the model loaded the way the migration loads it (same settings: dtype, threads, max_tokens).
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {Embedder} from '../engine/embed/embedder.js';
import {resolveModelSource} from '../engine/embed/model-source.js';
import type {TokenizedBatch} from '../engine/embed/tokenize.js';
import {openWorkspace} from '../engine/workspace.js';

type StoredBatch = {batchSize: number; sequenceLength: number; inputIds: number[]; attentionMask: number[]; tokenCounts: number[]};

export function writeBatchPlan(file: string, batches: readonly TokenizedBatch[]): void {
	const stored: StoredBatch[] = batches.map(batch => ({
		batchSize: batch.batchSize,
		sequenceLength: batch.sequenceLength,
		inputIds: Array.from(batch.inputIds, Number),
		attentionMask: Array.from(batch.attentionMask, Number),
		tokenCounts: batch.tokenCounts,
	}));
	writeFileSync(file, JSON.stringify(stored));
}

export function readBatchPlan(file: string): TokenizedBatch[] {
	return (JSON.parse(readFileSync(file, 'utf8')) as StoredBatch[]).map(batch => ({
		batchSize: batch.batchSize,
		sequenceLength: batch.sequenceLength,
		inputIds: BigInt64Array.from(batch.inputIds, BigInt),
		attentionMask: BigInt64Array.from(batch.attentionMask, BigInt),
		tokenCounts: batch.tokenCounts,
		truncatedCount: 0,
	}));
}

/** The workspace's target model, loaded with the options the migration passes (migration.ts). */
export async function loadWorkspaceTarget(root: string, threads?: number): Promise<Embedder> {
	const {memory, paths} = openWorkspace(root);
	const migration = memory.migration;
	return Embedder.load({
		source: resolveModelSource(migration.target_model, {localPath: migration.target_model_path, root: paths.root, endpoint: migration.hf_endpoint, cacheDir: migration.model_cache_dir}),
		device: migration.device,
		dtype: migration.dtype,
		maxTokens: migration.max_tokens,
		cpuOnlyMode: memory.cpu_only_mode,
		threads: threads ?? migration.intra_op_threads ?? undefined,
	});
}
