import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {renderToString} from 'ink';
import {problemById} from '../../source/engine/diagnosis/catalogue.js';
import {Dashboard} from '../../source/ui/components/Dashboard.js';
import {commandFor} from '../../source/ui/components/TroublePanel.js';
import type {Theme} from '../../source/ui/components/theme.js';
import {strings} from '../../source/ui/i18n.js';
import {computeLayout, frameHeight} from '../../source/ui/layout.js';
import type {DashboardState} from '../../source/ui/state.js';
import {midMigration} from './fixtures.js';

const plain: Theme = {color: false, unicode: true, strings: strings('en'), language: 'en'};
// eslint-disable-next-line no-control-regex -- the escape that starts a colour code is what is stripped
const ansi = /\u001B\[[\d;]*m/g;

function frame(state: DashboardState, columns: number, rows: number, theme = plain): string[] {
	const output = renderToString(<Dashboard state={state} columns={columns} rows={rows} theme={theme} workspace="/srv/pigpig" />, {columns});
	return output.split('\n');
}

const columnsOf = (line: string) => [...line.replace(ansi, '')].reduce((sum, char) => sum + (/[\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFF00-\uFF60]/u.test(char) ? 2 : 1), 0);

describe('dashboard layout', () => {
	it('fits 80×24 stacked, never taller than rows − 1, every line within the width', () => {
		const lines = frame(midMigration(), 80, 24);
		assert.ok(lines.length <= 23, `${lines.length} lines`);
		assert.ok(lines.every(line => columnsOf(line) <= 80), lines.find(line => columnsOf(line) > 80));
		const text = lines.join('\n');
		for (const panel of ['Progress', 'Resources', 'Troubleshooting', 'Log']) {
			assert.match(text, new RegExp(panel));
		}

		assert.match(text, /GPU out of memory/);
		assert.match(text, /40\.0%/);
		assert.match(text, /batch: 16/);
	});

	it('puts panels side by side at 120×40', () => {
		const lines = frame(midMigration(), 120, 40);
		assert.ok(lines.length <= 39);
		assert.ok(lines.every(line => columnsOf(line) <= 120));
		assert.ok(lines.some(line => /Progress/.test(line) && /Resources/.test(line)), 'progress and resources share a row');
		assert.ok(lines.some(line => /Log/.test(line) && /Troubleshooting/.test(line)), 'log and troubleshooting share a row');
	});

	it('says the terminal is too small at 50×15, naming the size it needs', () => {
		const text = frame(midMigration(), 50, 15).join('\n');
		assert.match(text, /terminal too small \(need 60×16, have 50×15\)/);
		assert.match(text, /q: quit/);
	});

	it('keeps every size from 60×16 to 200×60 within rows − 1', () => {
		for (let columns = 60; columns <= 200; columns += 7) {
			for (let rows = 16; rows <= 60; rows += 5) {
				const layout = computeLayout(columns, rows);
				assert.ok(frameHeight(layout) <= rows - 1, `${columns}×${rows}: ${frameHeight(layout)}`);
				assert.ok(frame(midMigration(), columns, rows).length <= rows - 1, `rendered ${columns}×${rows}`);
			}
		}
	});

	it('uses no colour codes without colour, and ASCII gauges outside a UTF-8 locale', () => {
		const ascii: Theme = {...plain, unicode: false};
		const text = frame(midMigration(), 80, 24, ascii).join('\n');
		assert.doesNotMatch(text, ansi);
		assert.match(text, /\[#{10,}-+\] 40\.0%/);
		assert.doesNotMatch(text, /[█░▁▂▃▄▅▆▇╭╮]/);
		assert.match(text, /ERR|WARN/, 'states in words');
	});

	it('speaks Traditional Chinese when asked', () => {
		const zh: Theme = {...plain, strings: strings('zh'), language: 'zh'};
		const text = frame(midMigration(), 100, 30, zh).join('\n');
		assert.match(text, /進度/);
		assert.match(text, /GPU 記憶體不足/);
	});
});

describe('troubleshooting command', () => {
	const gpuOom = problemById('gpu-oom');
	const ramLow = problemById('ram-low');

	it("shows the guide's batch size while the run's own is larger, and never a larger one than the run has come down to", () => {
		const state = midMigration();
		assert.match(commandFor(gpuOom, {...state, batchSize: 16, device: 'cuda'}), /^qwen3-migrate migrate --batch-size 10 {3}\(or --device cpu;/);
		assert.match(commandFor(gpuOom, {...state, batchSize: 4, device: 'cuda'}), /^qwen3-migrate migrate --batch-size 4 {3}\(or --device cpu;/);
		assert.equal(commandFor(gpuOom, {...state, batchSize: 4, device: 'cpu'}), 'qwen3-migrate migrate --batch-size 4');
		assert.match(commandFor(ramLow, {...state, batchSize: 2}), /^qwen3-migrate migrate --batch-size 2 /);
		assert.match(commandFor(problemById('stalled'), {...state, batchSize: 8}), /^qwen3-migrate migrate --batch-size 8 /);
	});

	it('advice to raise the batch size only raises it, and never undoes an out-of-memory halving', () => {
		const slow = problemById('slow');
		// The fixture's run ran out of memory at 20 s; these runs did not.
		const state = {...midMigration(), seen: {}, history: []};
		assert.match(commandFor(slow, {...state, batchSize: 8}), /^qwen3-migrate migrate --batch-size 32 /, 'a slow run at 8 is told 32');
		assert.match(commandFor(slow, {...state, batchSize: 64}), /^qwen3-migrate migrate --batch-size 64 /, 'not told to lower 64 to 32');
		const halved = {...state, batchSize: 4, history: [{id: 'gpu-oom' as const, detail: 'batch 8 on cuda', seenAt: 1, resolvedAt: 2}]};
		assert.match(commandFor(slow, halved), /^qwen3-migrate migrate --batch-size 4 /, 'out of memory brought it to 4: 32 would undo that');
		assert.match(commandFor(slow, {...state, batchSize: 4, seen: {oom: 1}}), /^qwen3-migrate migrate --batch-size 4 /);
	});

	it('the panel shows it', () => {
		const text = frame({...midMigration(), batchSize: 4}, 120, 40).join('\n');
		assert.match(text, /\$ qwen3-migrate migrate --batch-size 4\b/);
		assert.doesNotMatch(text, /--batch-size 10/);
	});
});
