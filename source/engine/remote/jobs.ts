/** A batch waiting in the endpoint pool, how one is cut to an endpoint's limit, and retry timing. */
import type {EmbedInput} from './client.js';

export type Job = {
	/** Texts, or token ids (see EmbedInput); called texts because that is what they are to the user. */
	texts: EmbedInput[];
	/** Transient failures so far, over all endpoints. */
	attempts: number;
	rateLimits: number;
	/** Not sent again before this time (backoff). */
	notBefore: number;
	/** Called exactly once. */
	settle: (outcome: {vectors: Float32Array[]} | {error: Error}) => void;
};

/** Exponential backoff with jitter (half fixed, half random), so retries do not march in step. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
	const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
	return ceiling / 2 + (ceiling / 2) * random();
}

/** A batch cut to an endpoint's limit; the parts settle the original once all have answered. */
export function splitJob(job: Job, size: number): Job[] {
	const results: Float32Array[] = Array.from({length: job.texts.length});
	let remaining = Math.ceil(job.texts.length / size);
	let failed = false;
	const parts: Job[] = [];
	for (let start = 0; start < job.texts.length; start += size) {
		parts.push({
			...job,
			texts: job.texts.slice(start, start + size),
			settle(outcome) {
				if (failed) {
					return;
				}

				if ('error' in outcome) {
					failed = true;
					job.settle(outcome);
					return;
				}

				for (const [offset, vector] of outcome.vectors.entries()) {
					results[start + offset] = vector;
				}

				if (--remaining === 0) {
					job.settle({vectors: results});
				}
			},
		});
	}

	return parts;
}
