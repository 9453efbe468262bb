/** Messages between the engine and the embedding worker thread (structured-clone friendly). */
import type {ModelSource} from './model-source.js';

export type Pooling = 'mean' | 'last_token';
export type Device = 'cpu' | 'cuda';

/**
 * 'pooled': fetch only the output that is pooled. 'all': every output, as transformers.js does
 * (the real Qwen3 export's 56 present.* tensors, ~470 MB for a 2048-token fp32 batch); kept only
 * to measure what skipping them saves.
 */
export type FetchMode = 'pooled' | 'all';

export type LoadRequest = {
	type: 'load';
	id: number;
	source: ModelSource;
	device: Device;
	dtype: string;
	threads?: number;
	/** The output to pool; a model without it is a load error (no fallback to another output). */
	outputName: string;
	fetch: FetchMode;
};

export type RunRequest = {
	type: 'run';
	id: number;
	inputIds: BigInt64Array;
	attentionMask: BigInt64Array;
	batchSize: number;
	sequenceLength: number;
	pooling: Pooling;
};

export type WorkerRequest = LoadRequest | RunRequest;

export type WorkerResponse =
	| {type: 'loaded'; id: number; modelType: string; device: Device; inputNames: string[]; outputNames: string[]}
	| {type: 'result'; id: number; vectors: Float32Array; dimension: number; inferenceMs: number}
	| {type: 'error'; id: number; message: string; stack?: string};
