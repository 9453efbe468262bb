/**
 * The Qwen3-Embedding stand-in's ONNX graph, with the real export's signature
 * (onnx-community/Qwen3-Embedding-0.6B-ONNX): inputs input_ids, attention_mask, position_ids and
 * 28 pairs past_key_values.{i}.key/value [B,8,past,128]; outputs last_hidden_state and 28 pairs
 * present.{i}.key/value [B,8,past+T,128]. Only the hidden width is small.
 *
 * Hidden state at t = MLP(masked running mean over tokens ≤ t of (embedding + sin(position·f)),
 * plus the token's own embedding and position, plus a causal read of the KV projections). So it
 * depends on tokens ≤ t and on position_ids only: wrong position_ids, pooling a pad token or a
 * cut-off EOS all change the vector, and correct padding on either side does not.
 */
import {createRandom, randomMatrix, type Random} from '../engine/util/random.js';
import {float32ToFloat16} from '../engine/embed/session-feeds.js';
import {DataType, OnnxGraphBuilder} from './onnx-graph.js';

/** The real export's cache layout. */
export const qwen3Layers = 28;
export const qwen3KvHeads = 8;
export const qwen3HeadDim = 128;
const kvWidth = qwen3KvHeads * qwen3HeadDim;

/** How weights are stored: as in the real export's dtype files. */
export type StandInDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8';

export type Qwen3GraphOptions = {vocabSize: number; hidden: number; layers: number; dimension: number; seed: number; dtype: StandInDtype};

/** A weight in the dtype's storage, returned as a float32 value for the computation. */
function weight(graph: OnnxGraphBuilder, dtype: StandInDtype, prefix: string, dims: number[], values: Float32Array): string {
	if (dtype === 'fp32') {
		return graph.floatTensor(prefix, dims, values);
	}

	if (dtype === 'fp16') {
		const words = float32ToFloat16(values);
		return graph.node('Cast', [graph.rawTensor(prefix, dims, DataType.float16, new Uint8Array(words.buffer))], {to: DataType.float});
	}

	// Weight-only 8-bit: symmetric scale per tensor, as dynamic quantisation stores MatMul weights.
	let largest = 0;
	for (const value of values) {
		largest = Math.max(largest, Math.abs(value));
	}

	const scale = largest / 127 || 1;
	const unsigned = dtype === 'uint8';
	const bytes = new Uint8Array(values.length);
	for (const [index, value] of values.entries()) {
		const level = Math.max(-127, Math.min(127, Math.round(value / scale)));
		bytes[index] = unsigned ? level + 128 : level & 0xFF;
	}

	const quantized = graph.rawTensor(prefix, dims, unsigned ? DataType.uint8 : DataType.int8, bytes);
	const zeroPoint = graph.rawTensor(`${prefix}_zero`, [], unsigned ? DataType.uint8 : DataType.int8, new Uint8Array([unsigned ? 128 : 0]));
	return graph.node('DequantizeLinear', [quantized, graph.floatTensor(`${prefix}_scale`, [], new Float32Array([scale])), zeroPoint]);
}

/** The cache tensors' element type: fp16 files take and give float16, the others float. */
function ioType(dtype: StandInDtype): number {
	return dtype === 'fp16' ? DataType.float16 : DataType.float;
}

function declareSignature(graph: OnnxGraphBuilder, dtype: StandInDtype, dimension: number): void {
	graph.input('input_ids', DataType.int64, ['batch_size', 'sequence_length']);
	graph.input('attention_mask', DataType.int64, ['batch_size', 'total_sequence_length']);
	graph.input('position_ids', DataType.int64, ['batch_size', 'sequence_length']);
	for (let layer = 0; layer < qwen3Layers; layer++) {
		for (const kind of ['key', 'value']) {
			graph.input(`past_key_values.${layer}.${kind}`, ioType(dtype), ['batch_size', qwen3KvHeads, 'past_sequence_length', qwen3HeadDim]);
		}
	}

	graph.output('last_hidden_state', ioType(dtype), ['batch_size', 'sequence_length', dimension]);
	for (let layer = 0; layer < qwen3Layers; layer++) {
		for (const kind of ['key', 'value']) {
			graph.output(`present.${layer}.${kind}`, ioType(dtype), ['batch_size', qwen3KvHeads, 'total_sequence_length', qwen3HeadDim]);
		}
	}
}

/** The mask of the new tokens, [B,T,1] float: the last T columns of the (past + new) mask. */
function newTokenMask(graph: OnnxGraphBuilder): string {
	const shape = graph.node('Shape', ['input_ids']);
	const length = graph.node('Slice', [shape, graph.int64Tensor('one', [1], [1]), graph.int64Tensor('two', [1], [2])]);
	const mask = graph.node('Slice', ['attention_mask', graph.node('Neg', [length]), graph.int64Tensor('end', [1], [Number.MAX_SAFE_INTEGER]), graph.int64Tensor('axis', [1], [1])]);
	return graph.node('Unsqueeze', [graph.node('Cast', [mask], {to: DataType.float}), graph.int64Tensor('axis2', [1], [2])]);
}

/** present.{i}.* = past ++ this batch's keys/values (per-layer scaled), heads first. */
function addPresents(graph: OnnxGraphBuilder, dtype: StandInDtype, keys: string, values: string): void {
	const headsShape = graph.int64Tensor('heads_shape', [4], [0, 0, qwen3KvHeads, qwen3HeadDim]);
	for (let layer = 0; layer < qwen3Layers; layer++) {
		for (const [kind, source] of [['key', keys], ['value', values]] as const) {
			const scaled = graph.node('Mul', [source, graph.floatTensor(`layer_scale`, [], new Float32Array([1 + layer / qwen3Layers]))]);
			let heads = graph.node('Transpose', [graph.node('Reshape', [scaled, headsShape])], {perm: [0, 2, 1, 3]});
			if (dtype === 'fp16') {
				heads = graph.node('Cast', [heads], {to: DataType.float16});
			}

			graph.node('Concat', [`past_key_values.${layer}.${kind}`, heads], {axis: 2}, `present.${layer}.${kind}`);
		}
	}
}

/** Residual tanh MLP blocks, then the projection to the output width. */
function addMlp(graph: OnnxGraphBuilder, random: Random, dtype: StandInDtype, input: string, hidden: number, layers: number, dimension: number): string {
	let current = input;
	const scale = 1 / Math.sqrt(hidden);
	for (let layer = 0; layer < layers; layer++) {
		const matrix = weight(graph, dtype, `mlp${layer}`, [hidden, hidden], randomMatrix(random, hidden * hidden, scale));
		const bias = graph.floatTensor(`mlp_bias${layer}`, [hidden], randomMatrix(random, hidden, 0.1));
		current = graph.node('Add', [current, graph.node('Tanh', [graph.node('Add', [graph.node('MatMul', [current, matrix]), bias])])]);
	}

	return graph.node('MatMul', [current, weight(graph, dtype, 'w_out', [hidden, dimension], randomMatrix(random, hidden * dimension, scale))]);
}

export function buildQwen3StandInGraph(options: Qwen3GraphOptions): OnnxGraphBuilder {
	const {vocabSize, hidden, layers, dimension, dtype} = options;
	const random = createRandom(options.seed);
	const graph = new OnnxGraphBuilder();
	declareSignature(graph, dtype, dimension);
	const mask = newTokenMask(graph);
	const axis1 = graph.int64Tensor('axis1', [], [1]);
	const position = graph.node('Unsqueeze', [graph.node('Cast', ['position_ids'], {to: DataType.float}), graph.int64Tensor('axis2', [1], [2])]);
	const frequencies = graph.floatTensor('position_frequencies', [hidden], randomMatrix(random, hidden, 0.5));
	const positional = graph.node('Sin', [graph.node('Mul', [position, frequencies])]);
	const tokens = graph.node('Gather', [weight(graph, dtype, 'embed_tokens', [vocabSize, hidden], randomMatrix(random, vocabSize * hidden, 1)), 'input_ids']);
	const masked = graph.node('Mul', [graph.node('Add', [tokens, positional]), mask]);
	const count = graph.node('Max', [graph.node('CumSum', [mask, axis1]), graph.floatTensor('one_f', [1], new Float32Array([1]))]);
	const runningMean = graph.node('Div', [graph.node('CumSum', [masked, axis1]), count]);
	const own = graph.node('Mul', [graph.node('Gather', [weight(graph, dtype, 'embed_self', [vocabSize, hidden], randomMatrix(random, vocabSize * hidden, 0.3)), 'input_ids']), mask]);
	const keys = graph.node('MatMul', [masked, weight(graph, dtype, 'w_key', [hidden, kvWidth], randomMatrix(random, hidden * kvWidth, 1 / Math.sqrt(hidden)))]);
	const values = graph.node('MatMul', [masked, weight(graph, dtype, 'w_value', [hidden, kvWidth], randomMatrix(random, hidden * kvWidth, 1 / Math.sqrt(hidden)))]);
	addPresents(graph, dtype, keys, values);
	// A causal read of the cache, so the hidden state needs the same keys/values the presents carry.
	const attention = graph.node('Div', [graph.node('CumSum', [graph.node('Mul', [keys, values]), axis1]), count]);
	const attended = graph.node('MatMul', [attention, weight(graph, dtype, 'w_attention_out', [kvWidth, hidden], randomMatrix(random, kvWidth * hidden, 0.1 / Math.sqrt(kvWidth)))]);
	const state = graph.node('Add', [graph.node('Add', [runningMean, graph.node('Add', [own, positional])]), attended]);
	let output = addMlp(graph, random, dtype, state, hidden, layers, dimension);
	if (dtype === 'fp16') {
		output = graph.node('Cast', [output], {to: DataType.float16});
	}

	graph.node('Identity', [output], {}, 'last_hidden_state');
	return graph;
}
