/**
 * Troubles the engine reported (out of memory, stall, lock, low RAM) stay current until the
 * engine commits a batch after them: then the fix worked (the batch shrank and committed, the
 * lock cleared) and they move to the history view.
 */
import type {ProblemId} from '../engine/diagnosis/catalogue.js';
import type {DashboardState, PastProblem, SeenTrouble} from './state-types.js';

export const troubleProblem: Record<SeenTrouble, ProblemId> = {
	oom: 'gpu-oom',
	stall: 'stalled',
	busy: 'database-locked',
	lowMemory: 'ram-low',
};

const maxHistory = 50;

export function resolveTroubles(state: DashboardState, now: number): DashboardState {
	const resolved: PastProblem[] = [];
	const seen = {...state.seen};
	for (const trouble of Object.keys(seen) as SeenTrouble[]) {
		const seenAt = seen[trouble];
		if (seenAt !== undefined && seenAt < now) {
			resolved.push({id: troubleProblem[trouble], detail: trouble === 'oom' ? `${state.batchSize} / ${state.device}` : '', seenAt, resolvedAt: now});
			delete seen[trouble];
		}
	}

	return resolved.length === 0 ? state : {...state, seen, history: [...state.history, ...resolved].slice(-maxHistory)};
}
