import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {decodeKeys} from '../../source/ui/keys.js';

describe('key decoding', () => {
	it('splits a burst into one key press per character', () => {
		assert.deepEqual(decodeKeys('bb', {}), [
			{kind: 'char', char: 'b'},
			{kind: 'char', char: 'b'},
		]);
		assert.deepEqual(
			decodeKeys('qq', {}).map(press => press.kind),
			['char', 'char'],
		);
	});

	it('reads Backspace (DEL or BS), Ctrl+U, Enter, Esc and Ctrl+C inside a burst instead of typing them', () => {
		assert.deepEqual(
			decodeKeys('ab\u007F\b\u0015\r\u001B\u0003', {}).map(press => (press.kind === 'char' ? press.char : press.kind)),
			['a', 'b', 'backspace', 'backspace', 'kill-line', 'return', 'escape', 'interrupt'],
		);
	});

	it('takes the keys Ink already named', () => {
		assert.deepEqual(decodeKeys('', {delete: true}), [{kind: 'backspace'}], 'Ink calls the DEL byte "delete"');
		assert.deepEqual(decodeKeys('u', {ctrl: true}), [{kind: 'kill-line'}]);
		assert.deepEqual(decodeKeys('c', {ctrl: true}), [{kind: 'interrupt'}]);
		assert.deepEqual(decodeKeys('', {escape: true, meta: true}), [{kind: 'escape'}]);
		assert.deepEqual(decodeKeys('', {pageDown: true}), [{kind: 'page-down'}]);
		assert.deepEqual(decodeKeys('x', {ctrl: true}), [], 'unused Ctrl keys are not typed');
	});
});
