/**
 * Where a batch's new vectors come from. `regenerate` embeds the text with the new model; `pad`,
 * `truncate` and `transform` derive them from the message's old vector, falling back to the model
 * for a message that has none. Every source applies the Matryoshka output dimension.
 */
import type Database from 'better-sqlite3';
import {decodeVector} from '../db/vectors.js';
import type {EmbeddingResult} from '../embed/embedder.js';
import type {EmbeddingBackend} from '../embed-backend.js';
import type {TargetRow} from '../types.js';
import {applyLinearMap, type LinearMap} from './linear-map.js';
import {matryoshka, padTo} from './vector-math.js';

export type Produced = {result: EmbeddingResult; truncated: number};

export type VectorSource = {
	/** Vectors for `rows`, in order, each of `dimension` components and unit length. */
	produce: (rows: readonly TargetRow[]) => Promise<Produced>;
	readonly dimension: number;
	/** True when vectors come from running the model on the text (token-budget batching applies). */
	readonly usesModel: boolean;
};

/** Re-packs row vectors as one row-major array of width `dimension`. */
function pack(vectors: readonly Float32Array[], dimension: number): Float32Array {
	const packed = new Float32Array(vectors.length * dimension);
	for (const [row, vector] of vectors.entries()) {
		packed.set(vector, row * dimension);
	}

	return packed;
}

export class ModelVectorSource implements VectorSource {
	constructor(
		private readonly embedder: EmbeddingBackend,
		readonly dimension: number,
	) {}

	/** This source runs the model on text, so batches can be planned by token length. */
	readonly usesModel = true;

	async produce(rows: readonly TargetRow[]): Promise<Produced> {
		const tokenized = rows.every(row => row.encoded)
			? this.embedder.padEncoded(rows.map(row => row.encoded!))
			: await this.embedder.tokenizeAsync(rows.map(row => row.text));
		const result = await this.embedder.embedBatch(tokenized);
		if (result.dimension === this.dimension) {
			return {result, truncated: tokenized.truncatedCount};
		}

		const vectors = rows.map((_row, index) => matryoshka(result.vectors.subarray(index * result.dimension, (index + 1) * result.dimension), this.dimension));
		return {result: {...result, vectors: pack(vectors, this.dimension), dimension: this.dimension}, truncated: tokenized.truncatedCount};
	}
}

export type OldVectorMapper = {kind: 'pad'} | {kind: 'truncate'} | {kind: 'linear'; map: LinearMap};

export function mapOldVector(mapper: OldVectorMapper, vector: Float32Array, dimension: number): Float32Array {
	switch (mapper.kind) {
		case 'pad': {
			return padTo(vector, dimension);
		}

		case 'truncate': {
			return matryoshka(vector, dimension);
		}

		case 'linear': {
			return matryoshka(applyLinearMap(mapper.map, vector), dimension);
		}
	}
}

export class OldVectorSource implements VectorSource {
	readonly usesModel = false;
	private readonly lookup: Database.Statement;

	constructor(
		db: Database.Database,
		private readonly source: {model: string; dimension: number},
		private readonly mapper: OldVectorMapper,
		private readonly fallback: ModelVectorSource,
		readonly dimension: number,
	) {
		this.lookup = db.prepare('SELECT vector_data AS blob FROM embeddings WHERE message_id = ? AND +model_version = ? AND +dimension = ? ORDER BY id DESC LIMIT 1');
	}

	async produce(rows: readonly TargetRow[]): Promise<Produced> {
		const started = performance.now();
		const vectors: Array<Float32Array | undefined> = rows.map(row => {
			const found = this.lookup.get(row.messageId, this.source.model, this.source.dimension) as {blob: Buffer} | undefined;
			return found ? mapOldVector(this.mapper, decodeVector(found.blob, this.source.dimension), this.dimension) : undefined;
		});
		let truncated = 0;
		const missing = rows.filter((_row, index) => vectors[index] === undefined);
		if (missing.length > 0) {
			// No old vector to map: the model embeds the text instead.
			const embedded = await this.fallback.produce(missing);
			truncated = embedded.truncated;
			let next = 0;
			for (const [index, vector] of vectors.entries()) {
				if (vector === undefined) {
					vectors[index] = embedded.result.vectors.slice(next * this.dimension, (next + 1) * this.dimension);
					next++;
				}
			}
		}

		return {result: {vectors: pack(vectors as Float32Array[], this.dimension), dimension: this.dimension, inferenceMs: performance.now() - started}, truncated};
	}
}
