/**
 * The Qwen3 decoder as an ONNX graph with the real export's signature: embedding, 28 × (RMSNorm,
 * GQA self-attention with q/k RMSNorm and RoPE over past + new tokens, RMSNorm, SwiGLU MLP), final
 * RMSNorm → last_hidden_state; each layer's keys/values (after RoPE) → present.{i}.key/value.
 */
import {DataType, type OnnxGraphBuilder} from './onnx-graph.js';

export type Qwen3Architecture = {layers: number; hidden: number; heads: number; kvHeads: number; headDim: number; intermediate: number; vocab: number; ropeTheta: number; rmsEps: number};

export const qwen3EmbeddingArchitecture: Qwen3Architecture = {layers: 28, hidden: 1024, heads: 16, kvHeads: 8, headDim: 128, intermediate: 3072, vocab: 151_669, ropeTheta: 1_000_000, rmsEps: 1e-6};

/** Where weights come from: the dtype decides how they are stored and multiplied. */
export type WeightStore = {
	float(prefix: string, dims: number[], values: Float32Array): string;
	random(prefix: string, dims: number[], fanIn: number): string;
	linear(input: string, prefix: string, inDim: number, outDim: number): string;
};

type Shared = {graph: OnnxGraphBuilder; weights: WeightStore; arch: Qwen3Architecture; cos: string; sin: string; bias: string};

function rmsNorm(shared: Shared, input: string, prefix: string, width: number): string {
	const {graph} = shared;
	const meanSquare = graph.node('ReduceMean', [graph.node('Mul', [input, input])], {axes: [-1], keepdims: 1});
	const root = graph.node('Sqrt', [graph.node('Add', [meanSquare, graph.floatTensor('eps', [], new Float32Array([shared.arch.rmsEps]))])]);
	return graph.node('Mul', [graph.node('Div', [input, root]), shared.weights.float(prefix, [width], new Float32Array(width).fill(1))]);
}

/** cos/sin [B,1,T,d] from position_ids, and the additive causal + padding mask [B,1,T,S]. */
function positionsAndMask(graph: OnnxGraphBuilder, arch: Qwen3Architecture): {cos: string; sin: string; bias: string} {
	const half = arch.headDim / 2;
	const inverse = Float32Array.from({length: half}, (_value, index) => arch.ropeTheta ** (-(2 * index) / arch.headDim));
	const position = graph.node('Unsqueeze', [graph.node('Cast', ['position_ids'], {to: DataType.float}), graph.int64Tensor('axis', [1], [2])]);
	const frequencies = graph.node('Mul', [position, graph.floatTensor('inv_freq', [half], inverse)]);
	const angles = graph.node('Unsqueeze', [graph.node('Concat', [frequencies, frequencies], {axis: -1}), graph.int64Tensor('axis', [1], [1])]);
	const scalar = (tensor: string, index: number) => graph.node('Squeeze', [graph.node('Slice', [graph.node('Shape', [tensor]), graph.int64Tensor('s', [1], [index]), graph.int64Tensor('e', [1], [index + 1])]), graph.int64Tensor('axis', [1], [0])]);
	const length = scalar('input_ids', 1);
	const total = scalar('attention_mask', 1);
	const zero = graph.int64Tensor('zero', [], [0]);
	const one = graph.int64Tensor('one', [], [1]);
	const rows = graph.node('Add', [graph.node('Range', [zero, length, one]), graph.node('Sub', [total, length])]);
	const columns = graph.node('Range', [zero, total, one]);
	const causal = graph.node('LessOrEqual', [graph.node('Unsqueeze', [columns, graph.int64Tensor('axis', [1], [0])]), graph.node('Unsqueeze', [rows, graph.int64Tensor('axis', [1], [1])])]);
	const padding = graph.node('Unsqueeze', [graph.node('Cast', ['attention_mask'], {to: DataType.float}), graph.int64Tensor('axes', [2], [1, 2])]);
	const allowed = graph.node('Mul', [graph.node('Cast', [causal], {to: DataType.float}), padding]);
	const bias = graph.node('Mul', [graph.node('Sub', [allowed, graph.floatTensor('one_f', [], new Float32Array([1]))]), graph.floatTensor('big', [], new Float32Array([1e9]))]);
	return {cos: graph.node('Cos', [angles]), sin: graph.node('Sin', [angles]), bias};
}

/** [B,T,h·d] → [B,h,T,d], optionally RMS-normed per head and rotated. */
function heads(shared: Shared, input: string, count: number, norm?: string): string {
	const {graph, arch} = shared;
	let split = graph.node('Reshape', [input, graph.int64Tensor('shape', [4], [0, 0, count, arch.headDim])]);
	if (norm) {
		split = rmsNorm(shared, split, norm, arch.headDim);
	}

	const transposed = graph.node('Transpose', [split], {perm: [0, 2, 1, 3]});
	if (!norm) {
		return transposed;
	}

	const half = arch.headDim / 2;
	const first = graph.node('Slice', [transposed, graph.int64Tensor('s', [1], [0]), graph.int64Tensor('e', [1], [half]), graph.int64Tensor('a', [1], [3])]);
	const second = graph.node('Slice', [transposed, graph.int64Tensor('s', [1], [half]), graph.int64Tensor('e', [1], [arch.headDim]), graph.int64Tensor('a', [1], [3])]);
	const rotated = graph.node('Concat', [graph.node('Neg', [second]), first], {axis: 3});
	return graph.node('Add', [graph.node('Mul', [transposed, shared.cos]), graph.node('Mul', [rotated, shared.sin])]);
}

/** Repeats each key/value head for its query group: [B,kv,S,d] → [B,heads,S,d]. */
function repeatKv(shared: Shared, cache: string): string {
	const {graph, arch} = shared;
	const groups = arch.heads / arch.kvHeads;
	const expanded = graph.node('Expand', [graph.node('Unsqueeze', [cache, graph.int64Tensor('axis', [1], [2])]), graph.int64Tensor('groups', [5], [1, 1, groups, 1, 1])]);
	return graph.node('Reshape', [expanded, graph.int64Tensor('shape', [4], [0, arch.heads, -1, arch.headDim])]);
}

function attention(shared: Shared, input: string, layer: number): string {
	const {graph, weights, arch} = shared;
	const {hidden, heads: queryHeads, kvHeads, headDim} = arch;
	const normed = rmsNorm(shared, input, `l${layer}_input_norm`, hidden);
	const query = heads(shared, weights.linear(normed, `l${layer}_q`, hidden, queryHeads * headDim), queryHeads, `l${layer}_q_norm`);
	const key = heads(shared, weights.linear(normed, `l${layer}_k`, hidden, kvHeads * headDim), kvHeads, `l${layer}_k_norm`);
	const value = heads(shared, weights.linear(normed, `l${layer}_v`, hidden, kvHeads * headDim), kvHeads);
	const keys = graph.node('Concat', [`past_key_values.${layer}.key`, key], {axis: 2}, `present.${layer}.key`);
	const values = graph.node('Concat', [`past_key_values.${layer}.value`, value], {axis: 2}, `present.${layer}.value`);
	const scores = graph.node('Mul', [graph.node('MatMul', [query, graph.node('Transpose', [repeatKv(shared, keys)], {perm: [0, 1, 3, 2]})]), graph.floatTensor('scale', [], new Float32Array([1 / Math.sqrt(headDim)]))]);
	const probabilities = graph.node('Softmax', [graph.node('Add', [scores, shared.bias])], {axis: -1});
	const context = graph.node('Transpose', [graph.node('MatMul', [probabilities, repeatKv(shared, values)])], {perm: [0, 2, 1, 3]});
	const merged = graph.node('Reshape', [context, graph.int64Tensor('shape', [3], [0, 0, queryHeads * headDim])]);
	return graph.node('Add', [input, weights.linear(merged, `l${layer}_o`, queryHeads * headDim, hidden)]);
}

function mlp(shared: Shared, input: string, layer: number): string {
	const {graph, weights, arch} = shared;
	const normed = rmsNorm(shared, input, `l${layer}_post_norm`, arch.hidden);
	const gate = weights.linear(normed, `l${layer}_gate`, arch.hidden, arch.intermediate);
	const up = weights.linear(normed, `l${layer}_up`, arch.hidden, arch.intermediate);
	const activated = graph.node('Mul', [graph.node('Mul', [gate, graph.node('Sigmoid', [gate])]), up]);
	return graph.node('Add', [input, weights.linear(activated, `l${layer}_down`, arch.intermediate, arch.hidden)]);
}

/** Declares the real signature and builds the decoder; returns the parameter count. */
export function buildFullGraph(graph: OnnxGraphBuilder, arch: Qwen3Architecture, weights: WeightStore): number {
	graph.input('input_ids', DataType.int64, ['batch_size', 'sequence_length']);
	graph.input('attention_mask', DataType.int64, ['batch_size', 'total_sequence_length']);
	graph.input('position_ids', DataType.int64, ['batch_size', 'sequence_length']);
	for (let layer = 0; layer < arch.layers; layer++) {
		for (const kind of ['key', 'value']) {
			graph.input(`past_key_values.${layer}.${kind}`, DataType.float, ['batch_size', arch.kvHeads, 'past_sequence_length', arch.headDim]);
		}
	}

	graph.output('last_hidden_state', DataType.float, ['batch_size', 'sequence_length', arch.hidden]);
	for (let layer = 0; layer < arch.layers; layer++) {
		for (const kind of ['key', 'value']) {
			graph.output(`present.${layer}.${kind}`, DataType.float, ['batch_size', arch.kvHeads, 'total_sequence_length', arch.headDim]);
		}
	}

	const shared: Shared = {graph, weights, arch, ...positionsAndMask(graph, arch)};
	let state = graph.node('Gather', [weights.random('embed_tokens', [arch.vocab, arch.hidden], 1), 'input_ids']);
	for (let layer = 0; layer < arch.layers; layer++) {
		state = mlp(shared, attention(shared, state, layer), layer);
	}

	graph.node('Identity', [rmsNorm(shared, state, 'final_norm', arch.hidden)], {}, 'last_hidden_state');
	const {hidden, heads: queryHeads, kvHeads, headDim, intermediate} = arch;
	const perLayer = hidden * headDim * (2 * queryHeads + 2 * kvHeads) + 3 * hidden * intermediate + 2 * hidden + 2 * headDim;
	return arch.vocab * hidden + arch.layers * perLayer + hidden;
}
