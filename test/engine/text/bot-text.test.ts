import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {botBlankSql, botMaxCodePoints, isBlankForBot, isPythonWhitespace, preprocessForBot} from '../../../source/engine/text/bot-text.js';
import {createRandom} from '../../../source/engine/util/random.js';
import {botTextWithPython} from './python-bot-text.js';

/** Hand-picked cases: each names a way the JS and Python rules could part. */
const handCases: string[] = [
	'',
	'   ',
	'hello',
	'  hello   world  ',
	'line one\nline two\r\n\tthree',
	'a\u3000b\u00A0c\u2028d\u2029e',
	'a\u001Cb\u001Dc\u001Ed\u001Ff',
	'a\u0085b\u1680c\u202Fd\u205Fe',
	'a\u2000\u2001\u2002\u200Ab',
	// Not separators in Python, although JS \s or Unicode call some of them spaces.
	'a\uFEFFb\u200Bc\u180Ed\u2060e',
	'\u3000\u3000全形空白\u3000\u3000',
	'x'.repeat(600),
	`${'x'.repeat(511)} y`,
	`${'x'.repeat(510)}   y z`,
	`${'x'.repeat(511)}😀tail`,
	`${'x'.repeat(510)}😀😀tail`,
	'😀'.repeat(700),
	`${'你好'.repeat(300)}`,
	`${' '.repeat(1000)}word`,
	`${'a \n'.repeat(400)}`,
	'lone \uD800 surrogate \uDC00 halves',
	'\u001F',
	'\u00A0',
	'tab\u000Bvertical\u000Cform',
];

/** Random texts from an alphabet rich in separators, astral characters and CJK. */
function fuzzCases(count: number): string[] {
	const alphabet = ['a', 'Z', '7', ' ', '\n', '\t', '\u3000', '\u00A0', '\u2028', '\u001C', '\u0085', '\uFEFF', '\u200B', '😀', '𝒳', '字', 'é', 'e\u0301'];
	const random = createRandom(13);
	return Array.from({length: count}, () => Array.from({length: random.int(700)}, () => random.pick(alphabet)).join(''));
}

describe('the bot text rule', () => {
	const texts = [...handCases, ...fuzzCases(300)];
	const python = botTextWithPython(texts);

	it('matches " ".join(text.split())[:512] as python3 computes it, case by case', () => {
		assert.equal(python.processed.length, texts.length);
		for (const [index, text] of texts.entries()) {
			assert.equal(preprocessForBot(text), python.processed[index], `case ${index}: ${JSON.stringify(text.slice(0, 60))}`);
		}
	});

	it('splits on exactly the code points python\'s str.isspace() accepts', () => {
		const ours: number[] = [];
		for (let codePoint = 0; codePoint <= 0x10_FF_FF; codePoint++) {
			if (isPythonWhitespace(codePoint)) {
				ours.push(codePoint);
			}
		}

		assert.deepEqual(ours, python.whitespace);
	});

	it('keeps 512 code points, not 512 UTF-16 units, and never splits a surrogate pair', () => {
		const emoji = preprocessForBot('😀'.repeat(700));
		assert.equal([...emoji].length, botMaxCodePoints);
		assert.equal(emoji.length, botMaxCodePoints * 2);
		const edge = preprocessForBot(`${'x'.repeat(511)}😀tail`);
		assert.ok(edge.endsWith('😀'));
	});

	it('calls a text blank exactly when the rule leaves nothing', () => {
		for (const [index, text] of texts.entries()) {
			assert.equal(isBlankForBot(text), python.processed[index] === '', `case ${index}`);
		}

		assert.equal(isBlankForBot('\u3000\u2028\u001F'), true);
		assert.equal(isBlankForBot('\u200B'), false);
	});

	it('has a SQL blank test that agrees with isBlankForBot', () => {
		const db = new Database(':memory:');
		const blank = db.prepare(`SELECT ${botBlankSql('?')} AS blank`);
		const cases = [...texts, '\u001C\u3000\u2029', '\u200B', '\uFEFF ', ' \u0085 '];
		for (const [index, text] of cases.entries()) {
			assert.equal((blank.get(text) as {blank: number}).blank === 1, isBlankForBot(text), `case ${index}: ${JSON.stringify(text.slice(0, 40))}`);
		}

		db.close();
	});
});
