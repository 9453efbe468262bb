/**
 * What the engine needs from an embedding model, whichever backend serves it (the local ONNX
 * Embedder today); kept apart from the migration so strategies and phases can share it without
 * importing each other.
 */
import type {EmbeddingResult} from './embed/embedder.js';
import type {TokenizedBatch} from './embed/tokenize.js';
import type {Device} from './types.js';

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
	/** Batches it can take at once (a pool of servers); undefined: the engine's default of two. */
	readonly capacity?: number;
};
