/** Everything one migration run works with, injected so tests can swap the clock and samplers. */
import type Database from 'better-sqlite3';
import type {EmbeddingResult} from '../embed/embedder.js';
import type {Device} from '../embed/protocol.js';
import type {TokenizedBatch} from '../embed/tokenize.js';
import type {LogLevel} from '../log/format.js';
import type {MemorySystemSettings} from '../settings/schema.js';
import type {WorkspacePaths} from '../workspace.js';
import type {CommitWriter} from './commit-writer.js';
import type {RunControl} from './control.js';
import type {MigrationEvents, Phase} from './events.js';
import type {FaultInjector} from './faults.js';
import type {TargetModel} from './target-set.js';
import type {VectorSource} from '../strategies/vector-source.js';

/** The part of the Embedder the engine uses; tests may wrap it. */
export type EmbeddingBackend = {
	readonly modelId: string;
	readonly dimension: number;
	readonly device: Device;
	tokenizeAsync: (texts: readonly string[]) => Promise<TokenizedBatch>;
	encodeAsync: (texts: readonly string[]) => Promise<Array<{ids: number[]; truncated: boolean}>>;
	padEncoded: (encoded: ReadonlyArray<{ids: readonly number[]; truncated: boolean}>) => TokenizedBatch;
	embedBatch: (batch: TokenizedBatch) => Promise<EmbeddingResult>;
	switchDevice: (device: Device) => Promise<void>;
	close: () => Promise<void>;
};

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
};

export function emitProgress(context: RunContext): void {
	context.events.emit('progress', {
		phase: context.phase,
		...context.counters,
		batchSize: context.control.batchSize,
		device: context.embedder.device,
	});
}
