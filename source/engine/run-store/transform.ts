/** The linear map a transform run fitted (qwen3_migrate_transform), kept so a resumed run reuses it. */
import type Database from 'better-sqlite3';
import {decodeVector, encodeVector} from '../db/vectors.js';

export type StoredMap = {rows: number; columns: number; weights: Float32Array};
export type StoredQuality = {sampleSize: number; heldOut: number; meanCosine: number; recallAtK: number};

export function saveTransform(db: Database.Database, runId: string, map: StoredMap, quality: StoredQuality): void {
	db.prepare('INSERT OR REPLACE INTO qwen3_migrate_transform (run_id, rows, columns, weights, sample_size, held_out, mean_cosine, recall_at_10) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
		runId,
		map.rows,
		map.columns,
		encodeVector(map.weights),
		quality.sampleSize,
		quality.heldOut,
		quality.meanCosine,
		quality.recallAtK,
	);
}

export function loadTransform(db: Database.Database, runId: string): StoredMap | undefined {
	const row = db.prepare('SELECT rows, columns, weights FROM qwen3_migrate_transform WHERE run_id = ?').get(runId) as {rows: number; columns: number; weights: Buffer} | undefined;
	return row ? {rows: row.rows, columns: row.columns, weights: decodeVector(row.weights, row.rows * row.columns, 'transform weights')} : undefined;
}
