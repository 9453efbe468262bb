/** The one-line results of verify, check and rollback on the status line, in the dashboard's language. */
import type {CheckOutcome, RollbackOutcome, VerifyOutcome, VerifyProblem} from './backend.js';
import {fill, type Strings} from './i18n.js';

/** verify's finding ids and the string that names each in the dashboard's language. */
/** The keys of the string tables that hold plain strings. */
type TextKey = {[K in keyof Strings]: Strings[K] extends string ? K : never}[keyof Strings];

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

export function checkSummary(outcome: CheckOutcome, t: Strings): string {
	return outcome.problems.length === 0 ? t.checkAllOk : fill(t.checkProblems, {problems: outcome.problems.join('; ')});
}

export function rollbackSummary(outcome: RollbackOutcome, t: Strings): string {
	return fill(t.rolledBackSummary, {rows: outcome.removedRows});
}

/** A report's line: its verdict first (OK / FAIL), then what it found. */
export function verdictLine(ok: boolean, text: string, t: Strings): string {
	return `${ok ? t.ok : t.reportFailed}: ${text}`;
}
