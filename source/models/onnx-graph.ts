/** A small builder for ONNX graphs, written with onnx-proto, for the models the project generates. */
import {createRequire} from 'node:module';
import type {onnx as OnnxNamespace} from 'onnx-proto';

const require = createRequire(import.meta.url);
const {onnx} = require('onnx-proto') as {onnx: typeof OnnxNamespace};

export const DataType = {
	float: 1,
	int64: 7,
} as const;

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

	int64Tensor(prefix: string, dims: number[], values: number[]): string {
		const name = this.fresh(prefix);
		const raw = new BigInt64Array(values.map(value => BigInt(value)));
		this.initializers.push({name, dims, dataType: DataType.int64, rawData: new Uint8Array(raw.buffer)});
		return name;
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
		const model = onnx.ModelProto.create({
			irVersion: 7,
			producerName: 'qwen3-migrate',
			opsetImport: [{domain: '', version: opsetVersion}],
			graph: {
				name: graphName,
				node: this.nodes,
				initializer: this.initializers,
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
