/**
 * Generates small models in Hugging Face layout (config.json, tokenizer.json,
 * tokenizer_config.json, onnx/model.onnx) that transformers.js loads from a local directory:
 * a bert-type stand-in for the old mpnet model (mean pooling) and a qwen3-type stand-in for
 * Qwen3-Embedding (left padding, EOS from the post-processor, causal so that the last token sums
 * up the text). Weights are random but seeded, so every run generates the same model.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {corpusVocabularyText} from '../demo/chat-corpus.js';
import {createRandom, randomMatrix, type Random} from '../engine/util/random.js';
import {DataType, OnnxGraphBuilder} from './onnx-graph.js';
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

/**
 * Qwen3 stand-in. For each position t: the masked running mean of token embeddings over ≤ t, plus
 * an embedding of the token at t itself, through an MLP. With left padding the last position is the
 * text's EOS and sees exactly the text's tokens, so last-token pooling is batch-invariant; right
 * padding or a cut-off EOS visibly changes the result.
 */
function buildQwen3Graph(random: Random, vocabSize: number, hidden: number, layers: number, dimension: number): Uint8Array {
	const graph = new OnnxGraphBuilder();
	const inputIds = graph.input('input_ids', DataType.int64, ['batch_size', 'sequence_length']);
	const attentionMask = graph.input('attention_mask', DataType.int64, ['batch_size', 'sequence_length']);
	const tokenTable = graph.floatTensor('embed_tokens', [vocabSize, hidden], randomMatrix(random, vocabSize * hidden, 1));
	const selfTable = graph.floatTensor('embed_self', [vocabSize, hidden], randomMatrix(random, vocabSize * hidden, 0.3));
	const mask = maskColumn(graph, attentionMask);
	const masked = graph.node('Mul', [graph.node('Gather', [tokenTable, inputIds]), mask]);
	const axis1 = graph.int64Tensor('axis1', [], [1]);
	const runningSum = graph.node('CumSum', [masked, axis1]);
	const runningCount = graph.node('Max', [graph.node('CumSum', [mask, axis1]), graph.floatTensor('one', [1], new Float32Array([1]))]);
	const runningMean = graph.node('Div', [runningSum, runningCount]);
	const pooled = graph.node('Add', [runningMean, graph.node('Gather', [selfTable, inputIds])]);
	const output = addMlp(graph, random, pooled, hidden, layers, dimension);
	graph.node('Identity', [output], {}, 'last_hidden_state');
	graph.output('last_hidden_state', DataType.float, ['batch_size', 'sequence_length', dimension]);
	return graph.encode('qwen3_tiny');
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

/** Writes the qwen3-type model into `directory` (created if needed). Returns its output dimension. */
export function generateQwen3TinyModel(directory: string, options: TinyModelOptions = {}): {dimension: number} {
	const {dimension = 64, hidden = 32, layers = 1, seed = 3} = options;
	const tokenizer = buildByteLevelBpeTokenizer(trainingTextFor(options));
	mkdirSync(path.join(directory, 'onnx'), {recursive: true});
	writeJson(path.join(directory, 'tokenizer.json'), tokenizer.json);
	writeJson(path.join(directory, 'tokenizer_config.json'), {
		tokenizer_class: 'Qwen2Tokenizer',
		padding_side: 'left',
		model_max_length: 32_768,
		eos_token: qwenEndOfText,
		pad_token: qwenEndOfText,
		bos_token: null,
		unk_token: null,
		add_prefix_space: false,
		clean_up_tokenization_spaces: false,
	});
	writeJson(path.join(directory, 'config.json'), {
		architectures: ['Qwen3ForCausalLM'],
		model_type: 'qwen3',
		hidden_size: dimension,
		intermediate_size: hidden,
		num_hidden_layers: 1,
		num_attention_heads: 1,
		num_key_value_heads: 1,
		head_dim: dimension,
		vocab_size: tokenizer.vocabSize,
		max_position_embeddings: 32_768,
		eos_token_id: tokenizer.eosId,
		pad_token_id: tokenizer.eosId,
		torch_dtype: 'float32',
		qwen3_migrate_generated: {kind: 'tiny-qwen3', seed, hidden, layers},
	});
	writeFileSync(path.join(directory, 'onnx', 'model.onnx'), buildQwen3Graph(createRandom(seed), tokenizer.vocabSize, hidden, layers, dimension));
	return {dimension};
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
