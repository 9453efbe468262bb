/**
 * The model card's own example as a check that the weights are the real Qwen3-Embedding-0.6B:
 * two instructed queries against two documents, scores compared with the card's matrix. A user
 * who downloaded the weights learns here, before hours of migration, whether they are the right ones.
 */
import {Embedder, type EmbedderOptions} from './embedder.js';
import type {ModelSource} from './model-source.js';

export const goldenTask = 'Given a web search query, retrieve relevant passages that answer the query';
export const goldenQueries = ['What is the capital of China?', 'Explain gravity'] as const;
export const goldenDocuments = [
	'The capital of China is Beijing.',
	'Gravity is a force that attracts two bodies towards each other. It gives weight to physical objects and is responsible for the movement of planets around the sun.',
] as const;

/** The model card's similarity matrix (sentence-transformers, real weights): queries × documents. */
export const goldenScores = [
	[0.7646, 0.1414],
	[0.1355, 0.6],
] as const;

export const goldenTolerance = 0.002;

/** The card's query format; documents go without an instruction. */
export function instructQuery(task: string, query: string): string {
	return `Instruct: ${task}\nQuery:${query}`;
}

export type GoldenReport = {
	scores: number[][];
	/** Largest |score − card score|. */
	maxDeviation: number;
	matches: boolean;
	/** One line for people: whether these are the real weights. */
	summary: string;
};

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
const formatMatrix = (matrix: ReadonlyArray<readonly number[]>) => `[${matrix.map(row => `[${row.map(value => value.toFixed(4)).join(', ')}]`).join(', ')}]`;

/** Compares a score matrix with the card's. */
export function compareWithGolden(scores: number[][], dtype = 'fp32'): GoldenReport {
	let maxDeviation = 0;
	for (const [row, expected] of goldenScores.entries()) {
		for (const [column, value] of expected.entries()) {
			maxDeviation = Math.max(maxDeviation, Math.abs((scores[row]?.[column] ?? Number.NaN) - value));
		}
	}

	const matches = maxDeviation <= goldenTolerance;
	const measured = `scores ${formatMatrix(scores)} vs the model card's ${formatMatrix(goldenScores)}`;
	const summary = matches
		? `the weights are the real Qwen3-Embedding-0.6B: ${measured} (max deviation ${maxDeviation.toFixed(4)} ≤ ${goldenTolerance})`
		: `these are NOT the real Qwen3-Embedding-0.6B weights (or they are damaged${dtype === 'fp32' || dtype === 'fp16' ? '' : `, or dtype ${dtype} loses too much`}): ${measured}, max deviation ${Number.isNaN(maxDeviation) ? 'NaN' : maxDeviation.toFixed(4)} > ${goldenTolerance}`;
	return {scores, maxDeviation: Number.isNaN(maxDeviation) ? Number.POSITIVE_INFINITY : maxDeviation, matches, summary};
}

/** Embeds the card's queries and documents with a loaded embedder and compares the scores. */
export async function goldenScoresOf(embedder: Pick<Embedder, 'embed'>): Promise<number[][]> {
	const queries = await embedder.embed(goldenQueries.map(query => instructQuery(goldenTask, query)));
	const documents = await embedder.embed([...goldenDocuments]);
	return queries.map(query => documents.map(document => dot(query, document)));
}

/**
 * Loads the model as the card runs it (text as given: the bot's rule would turn the
 * instruction's newline into a space) and checks it against the card.
 */
export async function runGoldenCheck(source: ModelSource, options: Omit<EmbedderOptions, 'source' | 'textRule'> = {}): Promise<GoldenReport> {
	const embedder = await Embedder.load({...options, source, textRule: 'raw'});
	try {
		return compareWithGolden(await goldenScoresOf(embedder), embedder.dtype);
	} finally {
		await embedder.close();
	}
}
