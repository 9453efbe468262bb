import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {renderToString} from 'ink';
import {problemCatalogue} from '../../source/engine/diagnosis/catalogue.js';
import {Dashboard} from '../../source/ui/components/Dashboard.js';
import type {Theme} from '../../source/ui/components/theme.js';
import {DashboardController, type DashboardBackend} from '../../source/ui/controller.js';
import {allStrings, strings, type Strings} from '../../source/ui/i18n.js';
import {checkItemNames, checkItemsNamedAsIs, verifyFindingNames} from '../../source/ui/summaries.js';
import {sourceRoot} from '../helpers/source-tree.js';
import {keymap} from '../../source/ui/keymap.js';
import {plainLine} from '../../source/ui/plain-output.js';
import {reduce, type DashboardState, type Overlay} from '../../source/ui/state.js';
import {committed, midMigration, replay, t0} from './fixtures.js';

const english: Theme = {color: false, unicode: true, strings: strings('en'), language: 'en'};
const chinese: Theme = {color: false, unicode: true, strings: strings('zh'), language: 'zh'};
const ascii: Theme = {...english, unicode: false};

function frame(state: DashboardState, columns: number, rows: number, theme = english): string[] {
	return renderToString(<Dashboard state={state} columns={columns} rows={rows} theme={theme} workspace="/srv/pigpig" />, {columns}).split('\n');
}

const withOverlay = (overlay: Overlay) => reduce(midMigration(), {type: 'overlay', overlay});
const columnsOf = (line: string) => [...line].reduce((sum, char) => sum + (/[\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFF00-\uFF60]/u.test(char) ? 2 : 1), 0);
/** Strings that are the same in both languages on purpose (names, units). */
const sameInBoth = new Set(['title', 'cpu', 'gpu']);

/**
 * The status lines the dashboard shows after v, k and R (openDashboard's verify, check and rollback
 * outcomes, good and bad), as a dashboard in language `t` words them.
 */
async function reportLines(t: Strings): Promise<string[]> {
	const outcomes: Array<Partial<DashboardBackend>> = [
		{
			verify: async () => Promise.resolve({ok: true, model: 'Qwen/Qwen3-Embedding-0.6B', problems: []}),
			check: async () => Promise.resolve({ok: true, problems: []}),
			rollback: async () => Promise.resolve({removedRows: 12}),
		},
		{
			verify: async () => Promise.resolve({ok: false, model: 'Qwen/Qwen3-Embedding-0.6B', problems: [{id: 'duplicates', title: 'duplicate vectors per (message_id, model_version)', count: 3}, {id: 'not-in-the-table', title: 'a finding from a newer engine', count: 1}]}),
			check: async () => Promise.resolve({ok: false, problems: [{id: 'disk', title: 'disk', detail: '1 GB free'}, {id: 'endpoint', title: 'endpoint http://gpu1:8000/v1', subject: 'http://gpu1:8000/v1', detail: 'connection refused'}]}),
			rollback: async () => Promise.reject(new Error('boom')),
		},
	];
	const lines: string[] = [];
	for (const backend of outcomes) {
		const controller = new DashboardController({quit: () => undefined, ...backend}, {now: () => t0, strings: t});
		for (const keys of ['v', 'k', 'Rrollback\r']) {
			controller.handleKey(keys, {});
			// The operations answer on the next turns of the event loop.
			await new Promise(resolve => setTimeout(resolve, 5));
			lines.push(controller.getState().notice!.text);
		}

		controller.dispose();
	}

	return lines;
}

describe('dashboard language', () => {
	it('has every UI string in both English and Traditional Chinese', async () => {
		const {en, zh} = allStrings;
		for (const key of Object.keys(en) as Array<keyof typeof en>) {
			const [english_, chinese_] = [JSON.stringify(en[key]), JSON.stringify(zh[key])];
			assert.ok(chinese_ && chinese_ !== '""', `${key} missing in zh`);
			if (!sameInBoth.has(key)) {
				assert.notEqual(chinese_, english_, `${key} is not translated`);
			}
		}

		for (const binding of keymap) {
			assert.ok(binding.label.zh && binding.label.zh !== binding.label.en, binding.key);
			assert.ok(binding.short.zh, binding.key);
		}

		for (const problem of problemCatalogue) {
			assert.ok(problem.title.zh && problem.diagnosis.zh, problem.id);
		}

		// verify, check and rollback summaries: worded by the dashboard, in both languages.
		assert.deepEqual(await reportLines(strings('en')), [
			'OK: verify: Qwen/Qwen3-Embedding-0.6B vectors and indexes consistent',
			'OK: check: all items ok',
			'rolled back: 12 new vectors removed, settings and indexes restored',
			'FAIL: verify: duplicate vectors per message and model (3); a finding from a newer engine (1)',
			'FAIL: check: disk: 1 GB free; endpoint http://gpu1:8000/v1: connection refused',
			'rollback failed: boom',
		]);
		const chineseLines = await reportLines(strings('zh'));
		for (const line of chineseLines) {
			const wording = line.replace('Qwen/Qwen3-Embedding-0.6B', '').replace('a finding from a newer engine', '').replace('1 GB free', '').replace('http://gpu1:8000/v1', '').replace('connection refused', '').replace('settings.json', '').replace('boom', '');
			assert.doesNotMatch(wording, /[A-Za-z]/, `English wording in the zh-TW line "${line}"`);
		}
	});

	it('names every finding verify can report in both languages (verify.ts\'s ids against the dashboard\'s table)', () => {
		const verifySource = readFileSync(path.join(sourceRoot, 'engine/ops/verify.ts'), 'utf8');
		const ids = new Set([...verifySource.matchAll(/finding\('([a-z-]+)'|\bid: '([a-z-]+)'/g)].flatMap(match => match[1] ?? match[2] ?? []));
		assert.ok(ids.size >= 8, `found only ${[...ids].join(', ')} in verify.ts`);
		assert.deepEqual([...ids].filter(id => !(id in verifyFindingNames)), []);
	});

	it("names every item check can report in both languages, or keeps a package's own name (check's ids against the dashboard's table)", () => {
		const files = ['engine/ops/check.ts', 'engine/ops/model-availability.ts', 'engine/ops/native-modules.ts'].map(file => readFileSync(path.join(sourceRoot, file), 'utf8'));
		const ids = new Set(files.flatMap(text => [...text.matchAll(/\bid: '([a-z0-9-]+)'/g)].map(match => match[1]!)));
		// checkModel('target' | 'source', …) makes its id from the role.
		assert.match(files[1]!, /const id = `model-\$\{role\}`/);
		ids.add('model-target').add('model-source');
		assert.ok(ids.size >= 15, `found only ${[...ids].join(', ')}`);
		assert.deepEqual([...ids].filter(id => !(id in checkItemNames) && !checkItemsNamedAsIs.has(id)), []);
		for (const language of ['en', 'zh'] as const) {
			const t = strings(language);
			assert.ok(Object.values(checkItemNames).every(key => t[key].length > 0), language);
		}
	});

	it('shows no English UI wording in the zh-TW frame', () => {
		const text = [midMigration(), withOverlay({kind: 'help', page: 0}), withOverlay({kind: 'confirm-rollback', typed: '', wrong: true})].flatMap(state => frame(state, 100, 30, chinese)).join('\n');
		for (const word of ['Progress', 'Resources', 'batch:', 'rate:', 'failed:', 'elapsed', 'pause', 'retry', 'halve', 'Roll back', 'Esc: cancel', 'ERR', 'WARN', 'batch now']) {
			assert.ok(!text.includes(word), `"${word}" in:\n${text}`);
		}
	});

	it('writes pure ASCII outside a UTF-8 locale (LANG=C), dialogs and help included', () => {
		const states = [midMigration(), withOverlay({kind: 'help', page: 0}), withOverlay({kind: 'confirm-rollback', typed: 'roll', wrong: false})];
		for (const [columns, rows] of [
			[80, 24],
			[60, 16],
			[120, 40],
			[50, 12],
		] as const) {
			for (const state of states) {
				const text = frame(state, columns, rows, ascii).join('\n');
				const nonAscii = [...text].filter(char => char.codePointAt(0)! > 0x7E);
				assert.deepEqual(nonAscii, [], `${columns}×${rows}:\n${text}`);
			}
		}

		assert.match(plainLine(midMigration(), strings('en')), /RUNNING {2}phase embed {2}400\/1000 \(40\.0%\)/, 'TERM=dumb line');
	});
});

describe('dashboard dialogs and small terminals', () => {
	it('wraps the rollback dialog within 60 columns, instruction included', () => {
		const lines = frame(withOverlay({kind: 'confirm-rollback', typed: '', wrong: false}), 60, 16);
		assert.ok(lines.every(line => columnsOf(line) <= 60), lines.join('\n'));
		const text = lines.join(' ').replaceAll(/[│\s]+/g, ' ');
		assert.match(text, /Type rollback and press Enter; Esc cancels\./);
	});

	it('fits help pages in 60×16 and says how to page; space pages through every key', () => {
		const seen: string[] = [];
		for (let page = 0; page < 4; page++) {
			const lines = frame(withOverlay({kind: 'help', page}), 60, 16);
			assert.ok(lines.length <= 15, `${lines.length} lines`);
			assert.ok(lines.every(line => columnsOf(line) <= 60));
			assert.match(lines.join('\n'), /page \d\/\d · space\/→ next/);
			seen.push(lines.join('\n'));
		}

		for (const binding of keymap) {
			assert.ok(seen.join('\n').includes(binding.label.en), binding.label.en);
		}
	});

	it('still shows help below the minimum size (50×12), and names the keys that work', () => {
		assert.match(frame(midMigration(), 50, 12).join('\n'), /q: quit · \?: help · Ctrl\+C: stop/);
		const help = frame(withOverlay({kind: 'help', page: 0}), 50, 12);
		assert.ok(help.length <= 11 && help.every(line => columnsOf(line) <= 50));
		assert.match(help.join('\n'), /start or resume the migration/);
	});

	it('shows a problem at open in the troubleshooting pane, wrapped, with the fix', () => {
		const message = 'settings.json: line 3 column 5: invalid JSON: Expecting \',\' delimiter (the file cannot be read, so nothing can start)';
		const state = reduce(reduce(midMigration(), {type: 'mode', mode: 'idle', now: 0}), {type: 'fatal', fatal: {message, hint: 'python -m json.tool settings.json, or: cp settings_qwen3_example.json settings.json', exitCode: 2}});
		const text = frame(state, 80, 24).join(' ').replaceAll(/[│\s]+/g, ' ');
		assert.match(text, /so nothing can start\)/, 'the whole message, wrapped');
		assert.match(text, /fix: python -m json\.tool settings\.json, or: cp settings_qwen3_example\.json settings\.json/);
	});
});

describe('current advice', () => {
	it('does not offer "switch to CPU" while the run is on the CPU, and does on the GPU', () => {
		const onCpu = frame(midMigration(), 120, 40).join('\n');
		assert.match(onCpu, /GPU out of memory/);
		assert.match(onCpu, /\[b\] halve the batch size/);
		assert.doesNotMatch(onCpu, /\[c\] switch to CPU|--device cpu/);
		const onGpu = frame({...midMigration(), device: 'cuda'}, 120, 40).join('\n');
		assert.match(onGpu, /\[c\] switch to CPU/);
	});

	it('lists resolved problems in the history view (h)', () => {
		const resolved = replay(committed(t0 + 21_000, 416, 16, {batchSize: 16}), midMigration());
		const text = frame(reduce(resolved, {type: 'overlay', overlay: {kind: 'history'}}), 100, 30).join('\n');
		assert.match(text, /Earlier problems/);
		assert.match(text, /GPU out of memory .* resolved/);
	});
});
