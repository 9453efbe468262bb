import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, it} from 'node:test';
import {FaultInjector} from '../../../source/engine/migration/faults.js';
import {Migration} from '../../../source/engine/migration/migration.js';
import {createRandom} from '../../../source/engine/util/random.js';
import {cliPath} from '../../helpers/cli.js';
import {checkIndexesWithPython} from '../../helpers/python.js';
import {demoWorkspace, integrityCheck, targetMessageIds, targetRows} from '../../helpers/workspace.js';
import {openWorkspace} from '../../../source/engine/workspace.js';

const botWriter = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../helpers/bot-writer.js');

function duplicates(databaseFile: string): number {
	const rows = targetRows(databaseFile);
	return rows.length - new Set(rows.map(row => row.message_id)).size;
}

type RunResult = {code: number | null; signal: string | null; output: string};

async function runUntilKilled(root: string, delayMs: number, killOnOutput?: RegExp): Promise<RunResult> {
	const child = spawn(process.execPath, [cliPath, 'migrate', '--workspace', root, '--no-ui', '--yes', '--batch-size', '8'], {
		env: {...process.env, QWEN3_MIGRATE_FAULTS: ''},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	// The clock starts at the first progress line, once the model is loaded: kills then land in
	// the phases that write, not in Node's start-up.
	let timer: NodeJS.Timeout | undefined;
	child.stdout.once('data', () => {
		timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
	});
	child.stdout.on('data', (chunk: Buffer) => {
		if (killOnOutput?.test(chunk.toString())) {
			child.kill('SIGKILL');
		}
	});
	return new Promise(resolve => {
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			resolve({code, signal, output});
		});
	});
}

describe('durability', () => {
	it('survives kill -9 at random moments: exactly one new vector per message, integrity ok, run completes', async () => {
		const paths = await demoWorkspace({messages: 16_000, channels: 4, targetHidden: 256, targetLayers: 4});
		const random = createRandom(20_261_128);
		const trials: string[] = [];
		let kills = 0;
		// Kill, restart, kill again... until a run gets to the end on its own.
		for (let trial = 0; trial < 80; trial++) {
			const delay = Math.round(random.next() * 1000);
			const result = await runUntilKilled(paths.root, delay);
			const phase = /\[(\w+)\][^\n]*\n?$/.exec(result.output.trimEnd())?.[1] ?? 'start';
			trials.push(`${delay}ms:${result.signal ?? `exit ${result.code}`}@${phase}`);
			assert.equal(integrityCheck(paths.database), 'ok', `integrity after trial ${trial} (${trials.at(-1)})`);
			assert.equal(duplicates(paths.database), 0, `duplicates after trial ${trial} (${trials.join(', ')})`);
			assert.ok(result.signal === 'SIGKILL' || result.code === 0, `trial ${trial} failed: ${result.output}`);
			if (result.signal !== 'SIGKILL') {
				break;
			}

			kills++;
		}

		assert.ok(kills >= 20, `only ${kills} kills landed before the run finished: ${trials.join(', ')}`);
		if (process.env.SHOW_TRIALS) {
			console.log(trials.join("\n"));
		}

		const final = await runUntilKilled(paths.root, 120_000);
		assert.equal(final.code, 0, final.output);
		const rows = targetRows(paths.database);
		assert.deepEqual(rows.map(row => row.message_id).sort(), targetMessageIds(paths.database).sort(), `trials: ${trials.join(', ')}`);
		assert.equal(integrityCheck(paths.database), 'ok');
		assert.ok(!existsSync(paths.lock), 'the lock is released');
		for (const channel of checkIndexesWithPython(paths.indices)) {
			assert.deepEqual(channel.problems, []);
			assert.equal(channel.self_retrieval_misses, 0);
		}
	});

	it('survives kill -9 the moment each later phase starts', async () => {
		for (const phase of ['catchup', 'index', 'verify', 'cutover']) {
			const paths = await demoWorkspace({messages: 1500, channels: 3});
			const killed = await runUntilKilled(paths.root, 600_000, new RegExp(`\\[${phase}\\]`));
			assert.equal(killed.signal, 'SIGKILL', `${phase}: ${killed.output}`);
			assert.equal(integrityCheck(paths.database), 'ok');
			const final = await runUntilKilled(paths.root, 600_000);
			assert.equal(final.code, 0, `${phase}: ${final.output}`);
			assert.deepEqual(targetRows(paths.database).map(row => row.message_id).sort(), targetMessageIds(paths.database).sort(), phase);
			for (const channel of checkIndexesWithPython(paths.indices)) {
				assert.deepEqual(channel.problems, [], phase);
				assert.equal(channel.dimension, 48, `${phase}: the live indexes are the new ones`);
			}
		}
	});

	it('migrates the messages a running bot writes meanwhile, without a locked-database failure', async () => {
		const paths = await demoWorkspace({messages: 1200, channels: 3});
		const writer = spawn(process.execPath, [botWriter, paths.database, '120', '8'], {stdio: ['ignore', 'pipe', 'inherit']});
		const writerDone = new Promise<number>(resolve => writer.on('exit', code => resolve(code ?? -1)));
		const migration = new Migration({workspace: openWorkspace(paths.root), batchSize: 2, faults: new FaultInjector([])});
		const errors: string[] = [];
		migration.events.on('batch:error', ({message}) => errors.push(message));
		migration.events.on('failure:record', ({error}) => errors.push(error));
		const outcome = await migration.run();
		assert.equal(await writerDone, 0, 'the bot writer never hit a locked database');
		assert.equal(outcome.status, 'done');
		assert.deepEqual(errors, []);
		const migrated = new Set(targetRows(paths.database).map(row => row.message_id));
		const expected = targetMessageIds(paths.database);
		assert.ok(expected.filter(id => id.startsWith('bot-')).length === 120);
		assert.deepEqual(expected.filter(id => !migrated.has(id)), [], 'every message, old and new, has a new vector');
	});
});
