/**
 * Generates small models in Hugging Face layout (config.json, tokenizer.json,
 * tokenizer_config.json, onnx/model.onnx) that transformers.js loads from a local directory:
 * a bert-type stand-in for the old mpnet model (mean pooling) and a qwen3-type stand-in for
 * Qwen3-Embedding with the real export's signature, config and file names (qwen3-standin.ts).
 * Weights are random but seeded, so every run generates the same model.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {corpusVocabularyText} from '../demo/chat-corpus.js';
import {createRandom, randomMatrix, type Random} from '../engine/util/random.js';
import {DataType, OnnxGraphBuilder} from './onnx-graph.js';
import {buildQwen3StandInGraph, qwen3HeadDim, qwen3KvHeads, qwen3Layers, type Qwen3GraphOptions, type StandInDtype} from './qwen3-standin.js';
import {buildByteLevelBpeTokenizer, buildWordPieceTokenizer, qwenEndOfText} from './tokenizer-json.js';

export type TinyModelOptions = {
	/** Output vector length (last_hidden_state's last axis). */
	dimension?: number;
	/** Width of the token embeddings and of the hidden MLP layers. */
	hidden?: number;
	/** Hidden MLP layers after pooling (each hidden × hidden): raise to make the model compute-heavy. */
	layers?: number;
	seed?: number;
	/** Extra text whose words the tokenizer vocabulary should cover. */
	trainingText?: readonly string[];
	/**
	 * bert only: append a random linear projection to this many dimensions. With the same seed and
	 * dimension as another bert model, the result is a known linear function of that model.
	 */
	projectTo?: number;
};

function writeJson(file: string, value: unknown): void {
	writeFileSync(file, `${JSON.stringify(value, undefined, 2)}\n`);
}

/** Adds `layers` residual tanh MLP blocks and a final projection to `dimension`. */
function addMlp(graph: OnnxGraphBuilder, random: Random, input: string, hidden: number, layers: number, dimension: number): string {
	let current = input;
	const scale = 1 / Math.sqrt(hidden);
	for (let layer = 0; layer < layers; layer++) {
		const weight = graph.floatTensor(`w${layer}`, [hidden, hidden], randomMatrix(random, hidden * hidden, scale));
		const bias = graph.floatTensor(`b${layer}`, [hidden], randomMatrix(random, hidden, 0.1));
		const activated = graph.node('Tanh', [graph.node('Add', [graph.node('MatMul', [current, weight]), bias])]);
		current = graph.node('Add', [current, activated]);
	}

	const projection = graph.floatTensor('w_out', [hidden, dimension], randomMatrix(random, hidden * dimension, scale));
	return graph.node('MatMul', [current, projection]);
}

/** Float mask of shape [batch, seq, 1] from the int64 attention mask. */
function maskColumn(graph: OnnxGraphBuilder, attentionMask: string): string {
	const floatMask = graph.node('Cast', [attentionMask], {to: DataType.float});
	return graph.node('Unsqueeze', [floatMask, graph.int64Tensor('axis2', [1], [2])]);
}

/** BERT stand-in: each token's embedding plus the masked mean of the whole text, through an MLP. */
function buildBertGraph(random: Random, vocabSize: number, hidden: number, layers: number, dimension: number, projectTo?: number): Uint8Array {
	const graph = new OnnxGraphBuilder();
	const inputIds = graph.input('input_ids', DataType.int64, ['batch_size', 'sequence_length']);
	const attentionMask = graph.input('attention_mask', DataType.int64, ['batch_size', 'sequence_length']);
	const tokenTypeIds = graph.input('token_type_ids', DataType.int64, ['batch_size', 'sequence_length']);
	const tokenTable = graph.floatTensor('word_embeddings', [vocabSize, hidden], randomMatrix(random, vocabSize * hidden, 1));
	const typeTable = graph.floatTensor('token_type_embeddings', [2, hidden], randomMatrix(random, 2 * hidden, 0.1));
	const mask = maskColumn(graph, attentionMask);
	const tokens = graph.node('Add', [graph.node('Gather', [tokenTable, inputIds]), graph.node('Gather', [typeTable, tokenTypeIds])]);
	const axis1 = graph.int64Tensor('axis1', [1], [1]);
	const sum = graph.node('ReduceSum', [graph.node('Mul', [tokens, mask]), axis1], {keepdims: 1});
	const count = graph.node('Max', [graph.node('ReduceSum', [mask, axis1], {keepdims: 1}), graph.floatTensor('one', [1], new Float32Array([1]))]);
	const context = graph.node('Div', [sum, count]);
	let output = addMlp(graph, random, graph.node('Add', [tokens, context]), hidden, layers, dimension);
	if (projectTo !== undefined) {
		const projection = graph.floatTensor('w_linear', [dimension, projectTo], randomMatrix(random, dimension * projectTo, 1 / Math.sqrt(dimension)));
		output = graph.node('MatMul', [output, projection]);
	}

	graph.node('Identity', [output], {}, 'last_hidden_state');
	graph.output('last_hidden_state', DataType.float, ['batch_size', 'sequence_length', projectTo ?? dimension]);
	return graph.encode('bert_tiny');
}

function trainingTextFor(options: TinyModelOptions): string[] {
	return [...corpusVocabularyText(), ...(options.trainingText ?? [])];
}

/** The real export's file for each stand-in dtype, and whether its weights sit in `<file>_data`. */
const standInFiles: Record<StandInDtype, {file: string; external: boolean}> = {
	fp32: {file: 'model.onnx', external: true},
	fp16: {file: 'model_fp16.onnx', external: true},
	q8: {file: 'model_quantized.onnx', external: false},
	int8: {file: 'model_int8.onnx', external: false},
	uint8: {file: 'model_uint8.onnx', external: false},
};

/** Writes one dtype's graph under onnx/ with the real export's file names. */
export function writeQwen3StandInGraph(directory: string, graph: Qwen3GraphOptions): string[] {
	const {file, external} = standInFiles[graph.dtype];
	const builder = buildQwen3StandInGraph(graph);
	const onnxDirectory = path.join(directory, 'onnx');
	mkdirSync(onnxDirectory, {recursive: true});
	if (!external) {
		writeFileSync(path.join(onnxDirectory, file), builder.encode('qwen3_standin'));
		return [`onnx/${file}`];
	}

	const {model, data} = builder.encodeWithExternalData('qwen3_standin', `${file}_data`);
	writeFileSync(path.join(onnxDirectory, file), model);
	writeFileSync(path.join(onnxDirectory, `${file}_data`), data ?? new Uint8Array());
	return [`onnx/${file}`, `onnx/${file}_data`];
}

/**
 * Qwen3-Embedding-0.6B's config.json, with the stand-in's own hidden width and vocabulary size.
 * The cache layout (28 layers, 8 KV heads of 128) is the real one, so the past/present tensors
 * have the real shapes. No use_external_data_format: the real config has none either.
 */
export function qwen3Config(fields: {hidden: number; vocabSize: number; eosId: number}): object {
	return {
		architectures: ['Qwen3ForCausalLM'],
		attention_bias: false,
		attention_dropout: 0,
		bos_token_id: fields.eosId,
		eos_token_id: fields.eosId,
		head_dim: qwen3HeadDim,
		hidden_act: 'silu',
		hidden_size: fields.hidden,
		initializer_range: 0.02,
		intermediate_size: 3072,
		max_position_embeddings: 32_768,
		max_window_layers: qwen3Layers,
		model_type: 'qwen3',
		num_attention_heads: 16,
		num_hidden_layers: qwen3Layers,
		num_key_value_heads: qwen3KvHeads,
		rms_norm_eps: 1e-6,
		rope_scaling: null,
		rope_theta: 1_000_000,
		sliding_window: null,
		tie_word_embeddings: true,
		torch_dtype: 'float32',
		transformers_version: '4.51.3',
		use_cache: true,
		use_sliding_window: false,
		vocab_size: fields.vocabSize,
	};
}

/** Qwen3-Embedding's tokenizer_config.json: eos <|im_end|>, pad <|endoftext|>, no padding_side. */
export const qwen3TokenizerConfig = {
	add_bos_token: false,
	add_prefix_space: false,
	bos_token: null,
	clean_up_tokenization_spaces: false,
	eos_token: '<|im_end|>',
	errors: 'replace',
	model_max_length: 131_072,
	pad_token: qwenEndOfText,
	split_special_tokens: false,
	tokenizer_class: 'Qwen2Tokenizer',
	unk_token: null,
};

/**
 * Writes the qwen3-type model into `directory` (created if needed): the real export's signature,
 * config and tokenizer config, one graph per requested dtype (default fp32: onnx/model.onnx with
 * its weights in onnx/model.onnx_data). Returns its output dimension and the files written.
 */
export function generateQwen3TinyModel(directory: string, options: TinyModelOptions & {dtypes?: StandInDtype[]} = {}): {dimension: number; files: string[]} {
	const {dimension = 64, hidden = 32, layers = 1, seed = 3, dtypes = ['fp32']} = options;
	const tokenizer = buildByteLevelBpeTokenizer(trainingTextFor(options));
	mkdirSync(directory, {recursive: true});
	writeJson(path.join(directory, 'tokenizer.json'), tokenizer.json);
	writeJson(path.join(directory, 'tokenizer_config.json'), qwen3TokenizerConfig);
	writeJson(path.join(directory, 'config.json'), {
		...qwen3Config({hidden: dimension, vocabSize: tokenizer.vocabSize, eosId: tokenizer.eosId}),
		qwen3_migrate_generated: {kind: 'tiny-qwen3', seed, hidden, layers},
	});
	const files = dtypes.flatMap(dtype => writeQwen3StandInGraph(directory, {vocabSize: tokenizer.vocabSize, hidden, layers, dimension, seed, dtype}));
	return {dimension, files: ['config.json', 'tokenizer.json', 'tokenizer_config.json', ...files]};
}

/** Writes the bert-type model (the old model's stand-in) into `directory`. */
export function generateBertTinyModel(directory: string, options: TinyModelOptions = {}): {dimension: number} {
	const {dimension = 48, hidden = 32, layers = 1, seed = 2} = options;
	const tokenizer = buildWordPieceTokenizer(trainingTextFor(options));
	mkdirSync(path.join(directory, 'onnx'), {recursive: true});
	writeJson(path.join(directory, 'tokenizer.json'), tokenizer.json);
	writeJson(path.join(directory, 'tokenizer_config.json'), {
		tokenizer_class: 'BertTokenizer',
		do_lower_case: true,
		model_max_length: 128,
		cls_token: '[CLS]',
		sep_token: '[SEP]',
		pad_token: '[PAD]',
		unk_token: '[UNK]',
		mask_token: '[MASK]',
	});
	writeJson(path.join(directory, 'config.json'), {
		architectures: ['BertModel'],
		model_type: 'bert',
		hidden_size: options.projectTo ?? dimension,
		intermediate_size: hidden,
		num_hidden_layers: 1,
		num_attention_heads: 1,
		vocab_size: tokenizer.vocabSize,
		max_position_embeddings: 512,
		type_vocab_size: 2,
		pad_token_id: 0,
		qwen3_migrate_generated: {kind: 'tiny-bert', seed, hidden, layers},
	});
	writeFileSync(path.join(directory, 'onnx', 'model.onnx'), buildBertGraph(createRandom(seed), tokenizer.vocabSize, hidden, layers, dimension, options.projectTo));
	return {dimension: options.projectTo ?? dimension};
}
