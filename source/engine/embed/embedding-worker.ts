/**
 * Worker thread that owns the ONNX session, so inference never blocks the engine's event loop.
 * transformers.js loads the model (file names by dtype, external data, hub cache); the session is
 * then run directly so that only the pooled output is fetched: the real Qwen3 export also returns
 * 56 present.* KV tensors, which embedding never reads.
 */
import {parentPort} from 'node:worker_threads';
import {AutoModel, type PreTrainedModel} from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import {poolHiddenStates} from './pooling.js';
import type {FetchMode, LoadRequest, RunRequest, WorkerRequest, WorkerResponse} from './protocol.js';
import {emptyPastShape, float16ToFloat32, isPastInput, positionIdsFromMask, type InputInfo} from './session-feeds.js';
import {configureTransformers} from './transformers-env.js';
import {hubLoadOptions} from './hub-files.js';
import {lowerThreadPriority} from '../util/thread-priority.js';

if (!parentPort) {
	throw new Error('embedding-worker must run in a worker thread');
}

const port = parentPort;
lowerThreadPriority();

type Loaded = {model: PreTrainedModel; session: ort.InferenceSession; inputs: InputInfo[]; outputName: string; fetch: FetchMode};
let loaded: Loaded | undefined;

function reply(message: WorkerResponse, transfer: ArrayBuffer[] = []): void {
	port.postMessage(message, transfer);
}

function inputInfos(session: ort.InferenceSession): InputInfo[] {
	return session.inputMetadata.map(meta => (meta.isTensor ? {name: meta.name, type: meta.type, shape: meta.shape} : {name: meta.name, type: 'unknown', shape: []}));
}

async function load(request: LoadRequest): Promise<void> {
	const name = configureTransformers(request.source);
	// No spinning: ORT's idle threads would otherwise busy-wait between runs and starve the engine's
	// main thread (and the dashboard) of CPU while it prepares the next batch.
	const sessionOptions = {
		...(request.threads ? {intraOpNumThreads: request.threads, interOpNumThreads: 1} : {}),
		extra: {session: {intra_op: {allow_spinning: '0'}, inter_op: {allow_spinning: '0'}}},
	};
	const model = await AutoModel.from_pretrained(name, {
		dtype: request.dtype as 'fp32',
		device: request.device,
		session_options: sessionOptions,
		...(await hubLoadOptions(request.source, request.dtype)),
	});
	const sessions = (model as unknown as {sessions: Record<string, ort.InferenceSession>}).sessions;
	const session = sessions.model ?? Object.values(sessions)[0];
	if (!session) {
		throw new Error('the model has no ONNX session');
	}

	if (!session.outputNames.includes(request.outputName)) {
		await model.dispose();
		// No fallback to logits or another output: pooling the wrong tensor gives plausible garbage.
		throw new Error(`the model has no ${request.outputName} output (outputs: ${session.outputNames.slice(0, 6).join(', ')}${session.outputNames.length > 6 ? ', …' : ''})`);
	}

	loaded = {model, session, inputs: inputInfos(session), outputName: request.outputName, fetch: request.fetch};
	const modelType = String((model.config as {model_type?: string}).model_type ?? 'unknown');
	reply({type: 'loaded', id: request.id, modelType, device: request.device, inputNames: [...session.inputNames], outputNames: [...session.outputNames]});
}

/** Every input the session declares, from the batch: ids, mask, positions, type ids, empty past. */
function buildFeeds(model: Loaded, request: RunRequest): Record<string, ort.Tensor> {
	const {batchSize, sequenceLength} = request;
	const dims = [batchSize, sequenceLength];
	const feeds: Record<string, ort.Tensor> = {};
	for (const input of model.inputs) {
		if (input.name === 'input_ids') {
			feeds[input.name] = new ort.Tensor('int64', request.inputIds, dims);
		} else if (input.name === 'attention_mask') {
			feeds[input.name] = new ort.Tensor('int64', request.attentionMask, dims);
		} else if (input.name === 'position_ids') {
			feeds[input.name] = new ort.Tensor('int64', positionIdsFromMask(request.attentionMask, batchSize, sequenceLength), dims);
		} else if (input.name === 'token_type_ids') {
			feeds[input.name] = new ort.Tensor('int64', new BigInt64Array(batchSize * sequenceLength), dims);
		} else if (isPastInput(input.name)) {
			const shape = emptyPastShape(input, batchSize);
			feeds[input.name] = input.type === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), shape) : new ort.Tensor('float32', new Float32Array(0), shape);
		} else {
			throw new Error(`the model wants an input this tool cannot provide: ${input.name}`);
		}
	}

	return feeds;
}

function hiddenAsFloat32(tensor: ort.Tensor): Float32Array {
	if (tensor.type === 'float32') {
		return tensor.data as Float32Array;
	}

	if (tensor.type === 'float16') {
		const data = tensor.data as unknown as {buffer: ArrayBuffer; byteOffset: number; length: number};
		return float16ToFloat32(new Uint16Array(data.buffer, data.byteOffset, data.length));
	}

	throw new Error(`the model's output is ${tensor.type}, expected float32 or float16`);
}

async function run(request: RunRequest): Promise<void> {
	if (!loaded) {
		throw new Error('model not loaded');
	}

	const started = performance.now();
	const feeds = buildFeeds(loaded, request);
	const outputs = loaded.fetch === 'pooled' ? await loaded.session.run(feeds, [loaded.outputName]) : await loaded.session.run(feeds);
	const hiddenTensor = outputs[loaded.outputName]!;
	const hidden = hiddenAsFloat32(hiddenTensor);
	const {vectors, dimension} = poolHiddenStates(hidden, request.attentionMask, request.batchSize, request.sequenceLength, request.pooling);
	for (const tensor of Object.values(outputs)) {
		tensor.dispose();
	}

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
