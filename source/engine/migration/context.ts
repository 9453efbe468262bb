/** Everything one migration run works with, injected so tests can swap the clock and samplers. */
import type Database from 'better-sqlite3';
import type {EmbeddingBackend} from '../embed-backend.js';
import type {LogLevel} from '../log/format.js';
import type {MemorySystemSettings} from '../settings/schema.js';
import type {WorkspacePaths} from '../workspace.js';
import type {CommitWriter} from './commit-writer.js';
import type {RunControl} from './control.js';
import {recordCounts} from '../run-store/index.js';
import type {VectorSource} from '../strategies/vector-source.js';
import type {Phase} from '../types.js';
import type {MigrationEvents} from './events.js';
import type {FaultInjector} from './faults.js';
import {countTargetSet, type TargetModel} from './target-set.js';
import type {ReuseCache} from './window-planner.js';

export type Counters = {done: number; total: number; failed: number; blank: number; truncated: number};

export type RunContext = {
	db: Database.Database;
	paths: WorkspacePaths;
	settings: MemorySystemSettings;
	runId: string;
	target: TargetModel;
	events: MigrationEvents;
	log: (level: LogLevel, message: string) => void;
	faults: FaultInjector;
	control: RunControl;
	embedder: EmbeddingBackend;
	/** Writes the embed phase's rows, checkpoints and failures off the event loop. */
	writer: Pick<CommitWriter, 'commit' | 'recordFailure'>;
	/** Where new vectors come from: the model (regenerate) or the old vectors (pad, truncate, transform). */
	vectors: VectorSource;
	/** Milliseconds, monotonic enough for rates (Date.now by default). */
	now: () => number;
	/** Free RAM in MB (os.freemem by default). */
	freeMemoryMb: () => number;
	counters: Counters;
	phase: Phase;
	/** One reuse cache for the whole run: a text embedded once is never embedded again. */
	reuse: ReuseCache;
};

export function emitProgress(context: RunContext): void {
	context.events.emit('progress', {
		phase: context.phase,
		...context.counters,
		batchSize: context.control.batchSize,
		device: context.embedder.device,
	});
}

/** Recounts the target set (the bot may have added messages) and records it once the run exists. */
export async function refreshCounts(context: RunContext): Promise<void> {
	const counts = await countTargetSet(context.db, context.target);
	const {counters} = context;
	counters.total = counts.total;
	counters.done = counts.done;
	counters.blank = counts.blank;
	if (context.phase !== 'preflight') {
		recordCounts(context.db, context.runId, counts);
	}

	emitProgress(context);
}
