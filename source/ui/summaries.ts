/** The one-line results of verify, check and rollback on the status line, in the dashboard's language. */
import type {CheckOutcome, RollbackOutcome, VerifyOutcome} from './backend.js';
import {fill, type Strings} from './i18n.js';

export function verifySummary(outcome: VerifyOutcome, t: Strings): string {
	return outcome.ok ? fill(t.verifyConsistent, {model: outcome.model}) : fill(t.verifyProblems, {problems: outcome.problems.join('; ')});
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
