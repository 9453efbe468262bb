/** A small builder for ONNX graphs, written with onnx-proto, for the models the project generates. */
import {createRequire} from 'node:module';
import type {onnx as OnnxNamespace} from 'onnx-proto';

const require = createRequire(import.meta.url);
const {onnx} = require('onnx-proto') as {onnx: typeof OnnxNamespace};

export const DataType = {
	float: 1,
	uint8: 2,
	int8: 3,
	int64: 7,
	float16: 10,
} as const;

/** A graph file and, when its weights are kept outside it, the external-data file's bytes. */
export type EncodedModel = {model: Uint8Array; data?: Uint8Array};

/** ONNX's own default: tensors of at least 1 KiB go to the external file. */
const externalThresholdBytes = 1024;
/** Offsets aligned as onnx's save_model aligns them, so onnxruntime can map the file. */
const externalAlignment = 4096;

type AttributeValue = number | number[] | string;

/** One dimension of a graph input or output: a fixed size or a symbolic name ("batch"). */
export type Dimension = number | string;

export class OnnxGraphBuilder {
	private readonly nodes: OnnxNamespace.INodeProto[] = [];
	private readonly initializers: OnnxNamespace.ITensorProto[] = [];
	private readonly inputs: OnnxNamespace.IValueInfoProto[] = [];
	private readonly outputs: OnnxNamespace.IValueInfoProto[] = [];
	private counter = 0;

	input(name: string, elementType: number, shape: Dimension[]): string {
		this.inputs.push(valueInfo(name, elementType, shape));
		return name;
	}

	output(name: string, elementType: number, shape: Dimension[]): void {
		this.outputs.push(valueInfo(name, elementType, shape));
	}

	floatTensor(prefix: string, dims: number[], values: Float32Array): string {
		const name = this.fresh(prefix);
		this.initializers.push({
			name,
			dims,
			dataType: DataType.float,
			rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
		});
		return name;
	}

	/** An initializer from raw little-endian bytes of any element type (fp16 words, int8 weights). */
	rawTensor(prefix: string, dims: number[], dataType: number, bytes: Uint8Array): string {
		const name = this.fresh(prefix);
		this.initializers.push({name, dims, dataType, rawData: bytes});
		return name;
	}

	/** An initializer whose bytes were already written to an external-data file at `offset`. */
	externalTensor(prefix: string, dims: number[], dataType: number, external: {location: string; offset: number; length: number}): string {
		const name = this.fresh(prefix);
		this.initializers.push({
			name,
			dims,
			dataType,
			dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
			externalData: [
				{key: 'location', value: external.location},
				{key: 'offset', value: String(external.offset)},
				{key: 'length', value: String(external.length)},
			],
		});
		return name;
	}

	int64Tensor(prefix: string, dims: number[], values: number[]): string {
		const name = this.fresh(prefix);
		const raw = new BigInt64Array(values.map(value => BigInt(value)));
		this.initializers.push({name, dims, dataType: DataType.int64, rawData: new Uint8Array(raw.buffer)});
		return name;
	}

	/** Adds a node with several outputs, named by the caller. */
	multiNode(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}): string[] {
		this.nodes.push({
			opType,
			input: inputs,
			output: outputs,
			name: this.fresh(`${opType}_node`),
			attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
		});
		return outputs;
	}

	/** Adds a node and returns the name of its (single) output, or `outputName` when given. */
	node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
		const output = outputName ?? this.fresh(opType.toLowerCase());
		this.nodes.push({
			opType,
			input: inputs,
			output: [output],
			name: this.fresh(`${opType}_node`),
			attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
		});
		return output;
	}

	encode(graphName: string, opsetVersion = 13): Uint8Array {
		return this.encodeModel(graphName, opsetVersion, this.initializers);
	}

	/**
	 * Encodes with the large initializers in an external-data file named `location` (a name
	 * beside the graph file, as in the real export's `model.onnx` + `model.onnx_data`).
	 */
	encodeWithExternalData(graphName: string, location: string, opsetVersion = 13): EncodedModel {
		const chunks: Uint8Array[] = [];
		let size = 0;
		const initializers = this.initializers.map(tensor => {
			const bytes = tensor.rawData!;
			if (bytes.byteLength < externalThresholdBytes) {
				return tensor;
			}

			const offset = Math.ceil(size / externalAlignment) * externalAlignment;
			chunks.push(new Uint8Array(offset - size), bytes);
			size = offset + bytes.byteLength;
			const externalData = [
				{key: 'location', value: location},
				{key: 'offset', value: String(offset)},
				{key: 'length', value: String(bytes.byteLength)},
			];
			return {...tensor, rawData: undefined, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData};
		});
		const data = new Uint8Array(size);
		let position = 0;
		for (const chunk of chunks) {
			data.set(chunk, position);
			position += chunk.byteLength;
		}

		return {model: this.encodeModel(graphName, opsetVersion, initializers), data};
	}

	private encodeModel(graphName: string, opsetVersion: number, initializers: OnnxNamespace.ITensorProto[]): Uint8Array {
		const model = onnx.ModelProto.create({
			irVersion: 7,
			producerName: 'qwen3-migrate',
			opsetImport: [{domain: '', version: opsetVersion}],
			graph: {
				name: graphName,
				node: this.nodes,
				initializer: initializers,
				input: this.inputs,
				output: this.outputs,
			},
		});
		return onnx.ModelProto.encode(model).finish();
	}

	private fresh(prefix: string): string {
		this.counter++;
		return `${prefix}_${this.counter}`;
	}
}

function valueInfo(name: string, elementType: number, shape: Dimension[]): OnnxNamespace.IValueInfoProto {
	return {
		name,
		type: {
			tensorType: {
				elemType: elementType,
				shape: {dim: shape.map(dimension => (typeof dimension === 'number' ? {dimValue: dimension} : {dimParam: dimension}))},
			},
		},
	};
}

function attribute(name: string, value: AttributeValue): OnnxNamespace.IAttributeProto {
	if (typeof value === 'string') {
		return {name, type: 3, s: new TextEncoder().encode(value)};
	}

	if (Array.isArray(value)) {
		return {name, type: 7, ints: value};
	}

	return Number.isInteger(value) ? {name, type: 2, i: value} : {name, type: 1, f: value};
}
