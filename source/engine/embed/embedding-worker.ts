/** Worker thread that owns the ONNX session, so inference never blocks the engine's event loop. */
import {parentPort} from 'node:worker_threads';
import {AutoModel, Tensor, type PreTrainedModel} from '@huggingface/transformers';
import {poolHiddenStates} from './pooling.js';
import type {LoadRequest, RunRequest, WorkerRequest, WorkerResponse} from './protocol.js';
import {configureTransformers} from './transformers-env.js';
import {lowerThreadPriority} from '../util/thread-priority.js';

if (!parentPort) {
	throw new Error('embedding-worker must run in a worker thread');
}

const port = parentPort;
lowerThreadPriority();
let model: PreTrainedModel | undefined;

function reply(message: WorkerResponse, transfer: ArrayBuffer[] = []): void {
	port.postMessage(message, transfer);
}

async function load(request: LoadRequest): Promise<void> {
	const name = configureTransformers(request.source);
	// No spinning: ORT's idle threads would otherwise busy-wait between runs and starve the engine's
	// main thread (and the dashboard) of CPU while it prepares the next batch.
	const sessionOptions = {
		...(request.threads ? {intraOpNumThreads: request.threads, interOpNumThreads: 1} : {}),
		extra: {session: {intra_op: {allow_spinning: '0'}, inter_op: {allow_spinning: '0'}}},
	};
	model = await AutoModel.from_pretrained(name, {
		dtype: request.dtype as 'fp32',
		device: request.device,
		session_options: sessionOptions,
	});
	const modelType = String((model.config as {model_type?: string}).model_type ?? 'unknown');
	reply({type: 'loaded', id: request.id, modelType, device: request.device});
}

async function run(request: RunRequest): Promise<void> {
	if (!model) {
		throw new Error('model not loaded');
	}

	const started = performance.now();
	const dims = [request.batchSize, request.sequenceLength];
	const outputs = (await model({
		input_ids: new Tensor('int64', request.inputIds, dims),
		attention_mask: new Tensor('int64', request.attentionMask, dims),
	})) as Record<string, Tensor | undefined>;
	const hiddenTensor = outputs.last_hidden_state ?? outputs.token_embeddings ?? outputs.logits;
	if (!hiddenTensor) {
		throw new Error(`model returned no last_hidden_state (outputs: ${Object.keys(outputs).join(', ')})`);
	}

	const hidden = hiddenTensor.to('float32').data as Float32Array;
	const {vectors, dimension} = poolHiddenStates(hidden, request.attentionMask, request.batchSize, request.sequenceLength, request.pooling);
	hiddenTensor.dispose?.();
	reply({type: 'result', id: request.id, vectors, dimension, inferenceMs: performance.now() - started}, [vectors.buffer as ArrayBuffer]);
}

// Requests run one after another: a queued batch waits here, not inside the model, so each
// result's inferenceMs is the model's own time (the engine's "model busy" figure relies on it).
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
	queue = queue
		.then(async () => (request.type === 'load' ? load(request) : run(request)))
		.catch((error: unknown) => {
			const failure = error instanceof Error ? error : new Error(String(error));
			reply({type: 'error', id: request.id, message: failure.message, stack: failure.stack});
		});
});
