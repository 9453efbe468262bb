/**
 * Cuts a read-ahead window into batches the way embedding servers do: texts sorted by token
 * length, each batch capped by a row count and by a token budget counted with padding (rows ×
 * longest text), so one long message does not make many short ones pay for its padding.
 * Identical texts (the same token ids) are embedded once.
 */

export type PlannableItem = {key: string; tokens: number};

/**
 * Groups item indexes into batches: items sorted by length (stable), a batch closed when one
 * more item would exceed `maxRows` or `maxTokens` (padded). An item longer than the budget goes
 * alone. Returns indexes into `items`.
 */
export function planBatches(items: readonly PlannableItem[], maxRows: number, maxTokens: number): number[][] {
	const order = items.map((item, index) => ({index, tokens: item.tokens})).sort((a, b) => a.tokens - b.tokens || a.index - b.index);
	const batches: number[][] = [];
	let current: number[] = [];
	let longest = 0;
	for (const {index, tokens} of order) {
		const widest = Math.max(longest, tokens);
		if (current.length > 0 && (current.length + 1 > maxRows || (current.length + 1) * widest > maxTokens)) {
			batches.push(current);
			current = [];
			longest = 0;
		}

		current.push(index);
		longest = Math.max(longest, tokens);
	}

	if (current.length > 0) {
		batches.push(current);
	}

	return batches;
}

/** Padded token cost of a batch: what the model actually computes. */
export function paddedTokens(lengths: readonly number[]): number {
	return lengths.length * Math.max(0, ...lengths);
}
