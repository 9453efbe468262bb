/**
 * A full-size Qwen3-Embedding-0.6B stand-in for the bench: the real architecture (28 layers,
 * hidden 1024, 16 query and 8 key/value heads of 128, SwiGLU MLP 3072, RMSNorm with q/k norms,
 * RoPE θ=1e6, causal attention over past + new tokens) with random weights, so speed and memory
 * figures come from real compute. fp32 keeps its weights in model.onnx_data (written as they are
 * generated, never all in memory); q8 is one file with MatMulInteger on dynamically quantised
 * activations, the pattern of onnxruntime's quantize_dynamic. Generated on demand, never in CI.
 */
import {closeSync, mkdirSync, openSync, writeFileSync, writeSync} from 'node:fs';
import path from 'node:path';
import {DataType, OnnxGraphBuilder} from './onnx-graph.js';
import {buildFullGraph, qwen3EmbeddingArchitecture, type Qwen3Architecture, type WeightStore} from './qwen3-full-graph.js';
import {qwen3Config} from './tiny-models.js';

export {qwen3EmbeddingArchitecture, type Qwen3Architecture} from './qwen3-full-graph.js';

export type FullDtype = 'fp32' | 'q8';

/** Fast seeded uniform noise with variance 1/fanIn (xorshift32; Box–Muller would be 10× slower at 600M values). */
function noise(seed: number, length: number, fanIn: number): Float32Array {
	const out = new Float32Array(length);
	const bound = Math.sqrt(3 / fanIn);
	let state = seed >>> 0 || 1;
	for (let index = 0; index < length; index++) {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		out[index] = ((state >>> 0) / 4_294_967_296 * 2 - 1) * bound;
	}

	return out;
}

/** Appends tensors to an external-data file at 4 KiB-aligned offsets. */
class ExternalDataFile {
	private readonly fd: number;
	private size = 0;
	constructor(
		file: string,
		readonly location: string,
	) {
		this.fd = openSync(file, 'w');
	}

	append(bytes: Uint8Array): {location: string; offset: number; length: number} {
		const offset = Math.ceil(this.size / 4096) * 4096;
		writeSync(this.fd, bytes, 0, bytes.byteLength, offset);
		this.size = offset + bytes.byteLength;
		return {location: this.location, offset, length: bytes.byteLength};
	}

	close(): void {
		closeSync(this.fd);
	}
}

/** How weights are stored and multiplied for one dtype. */
class Weights implements WeightStore {
	private seed: number;
	constructor(
		private readonly graph: OnnxGraphBuilder,
		private readonly dtype: FullDtype,
		seed: number,
		private readonly external?: ExternalDataFile,
	) {
		this.seed = seed;
	}

	/** A float32 tensor (norm weights, the embedding table). */
	float(prefix: string, dims: number[], values: Float32Array): string {
		const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
		return this.external && bytes.byteLength >= 1024 ? this.graph.externalTensor(prefix, dims, DataType.float, this.external.append(bytes)) : this.graph.rawTensor(prefix, dims, DataType.float, bytes);
	}

	random(prefix: string, dims: number[], fanIn: number): string {
		return this.float(prefix, dims, noise(this.seed++, dims.reduce((a, b) => a * b, 1), fanIn));
	}

	/** x · W for W [inDim, outDim]: MatMul in fp32; MatMulInteger on uint8 activations × int8 weights in q8. */
	linear(input: string, prefix: string, inDim: number, outDim: number): string {
		if (this.dtype === 'fp32') {
			return this.graph.node('MatMul', [input, this.random(prefix, [inDim, outDim], inDim)]);
		}

		const values = noise(this.seed++, inDim * outDim, inDim);
		let largest = 0;
		for (const value of values) {
			largest = Math.max(largest, Math.abs(value));
		}

		const scale = largest / 127 || 1;
		const levels = Int8Array.from(values, value => Math.round(value / scale));
		const weight = this.graph.rawTensor(prefix, [inDim, outDim], DataType.int8, new Uint8Array(levels.buffer));
		const [quantized, inputScale, zeroPoint] = this.graph.multiNode('DynamicQuantizeLinear', [input], [`${prefix}_xq`, `${prefix}_xs`, `${prefix}_xz`]);
		const product = this.graph.node('MatMulInteger', [quantized!, weight, zeroPoint!, this.graph.rawTensor(`${prefix}_wz`, [], DataType.int8, new Uint8Array([0]))]);
		const combined = this.graph.node('Mul', [inputScale!, this.graph.floatTensor(`${prefix}_ws`, [], new Float32Array([scale]))]);
		return this.graph.node('Mul', [this.graph.node('Cast', [product], {to: DataType.float}), combined]);
	}
}

export type GeneratedFullModel = {files: string[]; parameters: number};

/** Writes onnx/model.onnx + model.onnx_data (fp32) or onnx/model_quantized.onnx (q8). */
export function writeQwen3FullGraph(directory: string, architecture: Qwen3Architecture, dtype: FullDtype, seed = 7): GeneratedFullModel {
	const onnxDirectory = path.join(directory, 'onnx');
	mkdirSync(onnxDirectory, {recursive: true});
	const graph = new OnnxGraphBuilder();
	const file = dtype === 'fp32' ? 'model.onnx' : 'model_quantized.onnx';
	const external = dtype === 'fp32' ? new ExternalDataFile(path.join(onnxDirectory, `${file}_data`), `${file}_data`) : undefined;
	try {
		const parameters = buildFullGraph(graph, architecture, new Weights(graph, dtype, seed, external));
		writeFileSync(path.join(onnxDirectory, file), graph.encode('qwen3_full', 17));
		return {files: external ? [`onnx/${file}`, `onnx/${file}_data`] : [`onnx/${file}`], parameters};
	} finally {
		external?.close();
	}
}

/**
 * A whole model directory: config.json with the architecture's real fields, a tokenizer (the real
 * Qwen3 one for the full-size vocabulary, or the given one), and the requested dtypes' graphs.
 */
export function generateQwen3FullModel(
	directory: string,
	options: {architecture?: Qwen3Architecture; dtypes?: FullDtype[]; seed?: number; writeTokenizer: (directory: string) => {eosId: number}},
): GeneratedFullModel {
	const {architecture = qwen3EmbeddingArchitecture, dtypes = ['fp32', 'q8'], seed = 7} = options;
	mkdirSync(directory, {recursive: true});
	const {eosId} = options.writeTokenizer(directory);
	writeFileSync(
		path.join(directory, 'config.json'),
		`${JSON.stringify({...qwen3Config({hidden: architecture.hidden, vocabSize: architecture.vocab, eosId}), num_hidden_layers: architecture.layers, num_attention_heads: architecture.heads, num_key_value_heads: architecture.kvHeads, head_dim: architecture.headDim, intermediate_size: architecture.intermediate, qwen3_migrate_generated: {kind: 'full-qwen3', seed}}, undefined, 2)}\n`,
	);
	const generated = dtypes.map(dtype => writeQwen3FullGraph(directory, architecture, dtype, seed));
	return {files: ['config.json', 'tokenizer.json', 'tokenizer_config.json', ...generated.flatMap(result => result.files)], parameters: generated[0]?.parameters ?? 0};
}
