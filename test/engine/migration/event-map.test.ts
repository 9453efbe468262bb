import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {clientEventNames} from '../../../source/engine/migration/events.js';
import {sourceFiles, sourceRoot, testRoot} from '../../helpers/source-tree.js';



/** The keys of MigrationEventMap, read from its declaration (a type has no runtime keys). */
function declaredEvents(eventsText: string): string[] {
	const start = eventsText.indexOf('export type MigrationEventMap = {');
	const end = eventsText.indexOf('\n};', start);
	assert.ok(start >= 0 && end > start, 'MigrationEventMap found in events.ts');
	return [...eventsText.slice(start, end).matchAll(/^\t'?([a-z:-]+)'?:/gm)].map(match => match[1]!);
}

describe('the engine event map is the truth', () => {
	const eventsFile = path.join(sourceRoot, 'engine/migration/events.ts');
	const declared = declaredEvents(readFileSync(eventsFile, 'utf8'));
	const others = sourceFiles(sourceRoot).filter(file => file !== eventsFile).map(file => readFileSync(file, 'utf8'));
	const everything = others.join('\n');
	// Tests are clients of the engine too (as the dashboard and the headless CLI are).
	const listeners = [everything, ...sourceFiles(testRoot).filter(file => !file.endsWith('event-map.test.ts')).map(file => readFileSync(file, 'utf8'))].join('\n');

	it('declares the events it is about', () => {
		assert.ok(declared.length >= 15, `${declared.length} events declared`);
		assert.ok(declared.includes('run:start') && declared.includes('batch:commit:done'));
	});

	it('every declared event is emitted somewhere in source/', () => {
		const silent = declared.filter(name => !everything.includes(`emit('${name}'`));
		assert.deepEqual(silent, [], `declared but never emitted: ${silent.join(', ')}`);
	});

	it('every declared event has a listener (an .on() in source or tests, a reducer case, or the client event list)', () => {
		const heard = (name: string) =>
			listeners.includes(`.on('${name}'`) || listeners.includes(`case '${name}'`) || (clientEventNames as readonly string[]).includes(name);
		const unheard = declared.filter(name => !heard(name));
		assert.deepEqual(unheard, [], `emitted but never heard: ${unheard.join(', ')}`);
	});

	it('the client event list names only declared events, once each', () => {
		assert.deepEqual(clientEventNames.filter(name => !declared.includes(name)), []);
		assert.equal(new Set(clientEventNames).size, clientEventNames.length);
	});
});
