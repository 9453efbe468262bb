/** Messages between the engine and the tokenizer worker thread. */
import type {ModelSource} from './model-source.js';
import type {TextRule, TokenizerShape} from './tokenize.js';

export type TokenizerRequest =
	| {type: 'load'; id: number; source: ModelSource; maxTokens: number; textRule: TextRule}
	| {type: 'encode'; id: number; texts: string[]};

export type TokenizerResponse =
	| {type: 'loaded'; id: number; shape: TokenizerShape}
	/** Every text's ids end to end in `tokens`, `lengths[i]` of them for text i. */
	| {type: 'encoded'; id: number; tokens: Int32Array; lengths: Int32Array; truncated: Uint8Array}
	| {type: 'error'; id: number; message: string; stack?: string};
