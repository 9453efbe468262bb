/** The one-line results of verify, check and rollback on the status line, in the dashboard's language. */
import type {CheckOutcome, CheckProblem, RollbackOutcome, VerifyOutcome, VerifyProblem} from './backend.js';
import {fill, type Strings} from './i18n.js';

/** The keys of the string tables that hold plain strings. */
type TextKey = {[K in keyof Strings]: Strings[K] extends string ? K : never}[keyof Strings];

/** verify's finding ids and the string that names each in the dashboard's language. */
export const verifyFindingNames: Record<string, TextKey> = {
	'missing-vectors': 'findingMissingVectors',
	'orphaned-vectors': 'findingOrphanedVectors',
	duplicates: 'findingDuplicates',
	dimensions: 'findingDimensions',
	'blob-length': 'findingBlobLength',
	'blob-nan': 'findingBlobNan',
	'blob-zero': 'findingBlobZero',
	'failed-messages': 'findingFailedMessages',
	indexes: 'findingIndexes',
};

/** A finding by its name in the dashboard's language; one the table does not know keeps the engine's title. */
function findingName({id, title}: VerifyProblem, t: Strings): string {
	const key = verifyFindingNames[id];
	return key ? t[key] : title;
}

export function verifySummary(outcome: VerifyOutcome, t: Strings): string {
	return outcome.ok
		? fill(t.verifyConsistent, {model: outcome.model})
		: fill(t.verifyProblems, {problems: outcome.problems.map(problem => `${findingName(problem, t)} (${problem.count})`).join('; ')});
}

/** check's item ids and the string that names each in the dashboard's language. */
export const checkItemNames: Record<string, TextKey> = {
	node: 'checkNode',
	settings: 'checkSettings',
	database: 'checkDatabase',
	schema: 'checkSchema',
	vectors: 'checkVectors',
	processes: 'checkProcesses',
	migration: 'checkMigration',
	gpu: 'checkGpu',
	ram: 'checkRam',
	disk: 'checkDisk',
	'model-target': 'checkModelTarget',
	'model-source': 'checkModelSource',
	'model-golden': 'checkModelGolden',
	endpoint: 'checkEndpoint',
};

/** check items named after their package, in every language. */
export const checkItemsNamedAsIs = new Set(['better-sqlite3', 'faiss-node', 'onnxruntime-node', 'transformers']);

/** An item by its name in the dashboard's language (with what it is about); one the table does not know keeps the engine's title. */
function checkItemLine({id, title, subject, detail}: CheckProblem, t: Strings): string {
	const key = checkItemNames[id];
	const name = key ? [t[key], subject].filter(Boolean).join(' ') : title;
	return `${name}: ${detail}`;
}

export function checkSummary(outcome: CheckOutcome, t: Strings): string {
	return outcome.problems.length === 0 ? t.checkAllOk : fill(t.checkProblems, {problems: outcome.problems.map(problem => checkItemLine(problem, t)).join('; ')});
}

export function rollbackSummary(outcome: RollbackOutcome, t: Strings): string {
	return fill(t.rolledBackSummary, {rows: outcome.removedRows});
}

/** A report's line: its verdict first (OK / FAIL), then what it found. */
export function verdictLine(ok: boolean, text: string, t: Strings): string {
	return `${ok ? t.ok : t.reportFailed}: ${text}`;
}
