/** The contract every migration phase file fulfils: a typed step, its place in the run, and how it resumes. */
import type {Phase} from '../../types.js';
import type {RunContext} from '../context.js';

/** Returned by a phase that stopped because the user asked the run to abort. */
export const aborted = 'aborted' as const;
export type Aborted = typeof aborted;

export type PhaseStep<Input, Output> = {
	readonly phase: Phase;
	/** How a run killed during (or after) this phase picks it up again on the next `migrate`. */
	readonly resumes: string;
	run: (context: RunContext, input: Input) => Promise<Output | Aborted>;
};
