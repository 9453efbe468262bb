/**
 * Reads the target set a window at a time and turns it into batches. When the vectors come from
 * the model, a window is tokenised once, identical texts are embedded once (and remembered for the
 * rest of the run), and the distinct texts are cut into length-sorted, token-budgeted batches.
 * Checkpoints stay exact: only a window's last batch moves the cursor past the window.
 */
import type {EmbeddingBackend} from '../embed-backend.js';
import {planBatches} from './batch-planner.js';
import type {RejectedRow, TargetReader, TargetRow} from './target-set.js';

export type PlannedBatch = {
	/** Every row this batch commits: the embedded ones, their duplicates, and remembered texts. */
	rows: TargetRow[];
	/** One row per distinct text to embed (its `encoded` is set). */
	unique: TargetRow[];
	/** Dedup key of each row of `rows`. */
	keys: string[];
	/** Vectors of texts embedded earlier in the run, by key. */
	remembered: Map<string, Float32Array>;
	/** Checkpoint written with this batch (0 keeps the current one). */
	cursorAfter: number;
};

/** Vectors of recent distinct texts, least recently used evicted first. */
export class ReuseCache {
	private readonly entries = new Map<string, Float32Array>();
	reused = 0;

	constructor(private readonly capacity: number) {}

	get(key: string): Float32Array | undefined {
		const vector = this.entries.get(key);
		if (vector) {
			this.entries.delete(key);
			this.entries.set(key, vector);
		}

		return vector;
	}

	set(key: string, vector: Float32Array): void {
		this.entries.delete(key);
		this.entries.set(key, vector);
		if (this.entries.size > this.capacity) {
			this.entries.delete(this.entries.keys().next().value!);
		}
	}
}

export type PlannerSettings = {windowRows: number; maxTokens: () => number; maxRows: () => number; dedupe: boolean};

/**
 * A batch's vectors in the order of its rows: each distinct text's new vector (remembered in
 * `cache` for later batches, unless its key is a row's own) and the remembered ones for the rest.
 */
export function vectorsInRowOrder(planned: PlannedBatch, produced: Float32Array, dimension: number, cache: ReuseCache): Float32Array {
	const {rows, unique, keys, remembered} = planned;
	const keyOf = new Map(rows.map((row, index) => [row, keys[index]!]));
	const byKey = new Map(remembered);
	for (const [index, row] of unique.entries()) {
		const key = keyOf.get(row)!;
		const vector = produced.slice(index * dimension, (index + 1) * dimension);
		byKey.set(key, vector);
		if (!key.startsWith('row:')) {
			cache.set(key, vector);
		}
	}

	const vectors = new Float32Array(rows.length * dimension);
	for (const [index, row] of rows.entries()) {
		vectors.set(byKey.get(keyOf.get(row)!)!, index * dimension);
	}

	return vectors;
}

/** Rows grouped by their key (`keys[i]` is `rows[i]`'s), in order of first appearance, each group in row order. */
export function rowsByKey(rows: readonly TargetRow[], keys: readonly string[]): Map<string, TargetRow[]> {
	const groups = new Map<string, TargetRow[]>();
	for (const [index, row] of rows.entries()) {
		const group = groups.get(keys[index]!);
		if (group) {
			group.push(row);
		} else {
			groups.set(keys[index]!, [row]);
		}
	}

	return groups;
}

/** A batch of rows embedded as they are (no dedupe, no re-ordering): retries, bisection, old-vector strategies. */
export function plainBatch(rows: TargetRow[], cursorAfter: number): PlannedBatch {
	return {rows, unique: rows, keys: rows.map(row => `row:${row.messageId}`), remembered: new Map(), cursorAfter};
}

/**
 * Rows of a batch that failed, grouped again by their text (the planner's key: the token ids): one
 * model text per distinct text, texts still in `cache` filled from it. Without ids (old-vector
 * strategies) each row is its own text.
 */
export function regroupedBatch(rows: TargetRow[], cursorAfter: number, cache: ReuseCache): PlannedBatch {
	const keys = rows.map(row => (row.encoded ? row.encoded.ids.join(',') : `row:${row.messageId}`));
	const remembered = new Map<string, Float32Array>();
	const unique: TargetRow[] = [];
	const seen = new Set<string>();
	for (const [index, row] of rows.entries()) {
		const key = keys[index]!;
		if (seen.has(key)) {
			continue;
		}

		seen.add(key);
		const known = cache.get(key);
		if (known) {
			remembered.set(key, known);
		} else {
			unique.push(row);
		}
	}

	return {rows, unique, keys, remembered, cursorAfter};
}

/**
 * A batch planned before the batch size or token budget came down (out of memory halves them),
 * cut into batches that fit the current limits: each distinct text's rows stay together, the
 * remembered rows ride with the first part and only the last part moves the checkpoint. A batch
 * that fits comes back as it is.
 */
export function fitPlannedBatch(planned: PlannedBatch, maxRows: number, maxTokens: number): PlannedBatch[] {
	const {unique, rows, keys, remembered, cursorAfter} = planned;
	// The planner's own measure: rows, and tokens as padded to the longest text.
	const longest = unique.reduce((most, row) => Math.max(most, row.encoded?.ids.length ?? 0), 0);
	if (unique.length <= 1 || (unique.length <= maxRows && longest * unique.length <= maxTokens)) {
		return [planned];
	}

	const keyOf = new Map(rows.map((row, index) => [row, keys[index]!]));
	const byKey = rowsByKey(rows, keys);
	const uniqueKeys = new Set(unique.map(row => keyOf.get(row)!));
	const rememberedRows = rows.filter(row => !uniqueKeys.has(keyOf.get(row)!));
	const groups = planBatches(unique.map(row => ({key: keyOf.get(row)!, tokens: row.encoded?.ids.length ?? 0})), maxRows, maxTokens);
	return groups.map((indexes, part) => {
		const partUnique = indexes.map(index => unique[index]!);
		const partRows = [...partUnique.flatMap(row => byKey.get(keyOf.get(row)!)!), ...(part === 0 ? rememberedRows : [])];
		return {
			rows: partRows,
			unique: partUnique,
			keys: partRows.map(row => keyOf.get(row)!),
			remembered: part === 0 ? remembered : new Map<string, Float32Array>(),
			cursorAfter: part === groups.length - 1 ? cursorAfter : 0,
		};
	});
}

export class WindowPlanner {
	constructor(
		private readonly reader: TargetReader,
		private readonly embedder: EmbeddingBackend | undefined,
		private readonly settings: PlannerSettings,
		readonly cache: ReuseCache,
	) {}

	/**
	 * Reads up to windowRows rows in statements of at most 256 rows (one such statement takes up
	 * to ~20 ms on a 100,000-message database; 512 took up to 44 ms), yielding in between.
	 */
	private async readWindow(cursor: number): Promise<{rows: TargetRow[]; rejected: RejectedRow[]; next: number; exhausted: boolean}> {
		const rows: TargetRow[] = [];
		const rejected: RejectedRow[] = [];
		let next = cursor;
		let exhausted = false;
		for (let round = 0; round < 16 && rows.length + rejected.length < this.settings.windowRows && !exhausted; round++) {
			const part = this.reader.read(next, Math.min(256, this.settings.windowRows - rows.length - rejected.length), 1);
			rows.push(...part.rows);
			rejected.push(...part.rejected);
			next = part.next;
			exhausted = part.exhausted;
			await new Promise(resolve => setImmediate(resolve));
		}

		return {rows, rejected, next, exhausted};
	}

	/**
	 * The next window's batches after `cursor`; empty with `exhausted` at the end of the table.
	 * `rejected` rows must be recorded as failures before the batches' checkpoint passes them.
	 */
	async next(cursor: number): Promise<{batches: PlannedBatch[]; rejected: RejectedRow[]; next: number; exhausted: boolean}> {
		if (!this.embedder || !this.settings.dedupe) {
			const {rows, rejected, next, exhausted} = this.reader.read(cursor, this.settings.maxRows());
			return {batches: rows.length > 0 ? [plainBatch(rows, next)] : [], rejected, next, exhausted};
		}

		const window = await this.readWindow(cursor);
		const {rejected} = window;
		if (window.rows.length === 0) {
			return {batches: [], rejected, next: window.next, exhausted: window.exhausted};
		}

		const encoded = await this.embedder.encodeAsync(window.rows.map(row => row.text));
		const keys = encoded.map(item => item.ids.join(','));
		const keyOf = new Map(window.rows.map((row, index) => [row, keys[index]!]));
		const remembered = new Map<string, Float32Array>();
		const representative = new Map<string, number>();
		const byKey = rowsByKey(window.rows, keys);
		for (const [index, row] of window.rows.entries()) {
			row.encoded = encoded[index];
			const key = keys[index]!;
			const known = remembered.has(key) ? remembered.get(key) : this.cache.get(key);
			if (known) {
				remembered.set(key, known);
			} else if (!representative.has(key)) {
				representative.set(key, index);
			}
		}

		const distinct = [...representative.entries()];
		const plan = planBatches(
			distinct.map(([key, index]) => ({key, tokens: encoded[index]!.ids.length})),
			this.settings.maxRows(),
			this.settings.maxTokens(),
		);
		const batches: PlannedBatch[] = plan.map(indexes => {
			const unique = indexes.map(position => window.rows[distinct[position]![1]]!);
			const batchKeys = indexes.map(position => distinct[position]![0]);
			const rows = batchKeys.flatMap(key => byKey.get(key)!);
			return {rows, unique, keys: rows.map(row => keyOf.get(row)!), remembered: new Map(), cursorAfter: 0};
		});
		// Rows whose text was embedded earlier in the run ride along with the first batch.
		const reusedRows = [...remembered.keys()].flatMap(key => byKey.get(key)!);
		if (reusedRows.length > 0) {
			const first = batches[0] ?? {rows: [], unique: [], keys: [], remembered: new Map(), cursorAfter: 0};
			if (batches.length === 0) {
				batches.push(first);
			}

			first.rows = [...first.rows, ...reusedRows];
			first.keys = [...first.keys, ...reusedRows.map(row => keyOf.get(row)!)];
			first.remembered = remembered;
		}

		this.cache.reused += window.rows.length - distinct.length;
		batches.at(-1)!.cursorAfter = window.next;
		return {batches, rejected, next: window.next, exhausted: window.exhausted};
	}
}
