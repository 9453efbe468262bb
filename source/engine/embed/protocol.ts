/** Messages between the engine and the embedding worker thread (structured-clone friendly). */
import type {ModelSource} from './model-source.js';

export type Pooling = 'mean' | 'last_token';
export type Device = 'cpu' | 'cuda';

export type LoadRequest = {
	type: 'load';
	id: number;
	source: ModelSource;
	device: Device;
	dtype: string;
	threads?: number;
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
	| {type: 'loaded'; id: number; modelType: string; device: Device}
	| {type: 'result'; id: number; vectors: Float32Array; dimension: number; inferenceMs: number}
	| {type: 'error'; id: number; message: string; stack?: string};
