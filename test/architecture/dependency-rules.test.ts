import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, it} from 'node:test';
import {makeTempDir} from '../helpers/temp.js';

/** .build/test/architecture → the repository root. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = path.join(root, '.dependency-cruiser.mjs');

const colourEscape = new RegExp(`${String.fromCodePoint(0x1B)}\\[[0-9;]*m`, 'g');
const stripAnsi = (text: string) => text.replaceAll(colourEscape, '');

type Violation = {from: string; to: string; rule: {name: string}};

function runDepcruise(cwd: string, paths: string[], outputType: 'json' | 'err') {
	// CI may force colour (FORCE_COLOR); the reporter's text is compared without its escapes.
	const result = spawnSync(process.execPath, [depcruise, ...paths, '--config', config, '--output-type', outputType], {cwd, encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024});
	assert.equal(result.error, undefined, String(result.error));
	return {...result, stdout: stripAnsi(result.stdout)};
}

/** The violations dependency-cruiser finds with the project's own config. */
function violationsIn(cwd: string, paths: string[]): Violation[] {
	const output = JSON.parse(runDepcruise(cwd, paths, 'json').stdout) as {summary: {violations: Violation[]}};
	return output.summary.violations;
}

const describeViolations = (violations: Violation[]) => violations.map(({rule, from, to}) => `${rule.name}: ${from} → ${to}`).sort();

/**
 * A tiny source tree: each engine file is named after the one forbidden edge it adds; the other
 * edges (commands → engine, ui, shared; ui → engine; demo → engine; registry → commands; tests →
 * source) are allowed and must not be reported. A cycle is reported once; a cycle of type-only
 * imports (ui/state ↔ ui/panel) counts too.
 */
const fixture: Record<string, string> = {
	'source/engine/events.ts': 'export type RunEvent = {type: "run:start"};\nexport const events = 1;\n',
	'source/engine/uses-ui.ts': 'import {view} from "../ui/view.js";\nexport const a = view;\n',
	'source/engine/uses-ui-type.ts': 'import type {View} from "../ui/view.js";\nexport type A = View;\n',
	'source/engine/uses-command.ts': 'import {check} from "../commands/check.js";\nexport const a = check;\n',
	'source/engine/uses-main.ts': 'import {main} from "../main.js";\nexport const a = main;\n',
	'source/engine/uses-demo.ts': 'import {demo} from "../demo/sample.js";\nexport const a = demo;\n',
	'source/engine/uses-models.ts': 'import {tiny} from "../models/tiny.js";\nexport const a = tiny;\n',
	'source/engine/uses-bench.ts': 'import {bench} from "../bench/run.js";\nexport const a = bench;\n',
	'source/engine/uses-test.ts': 'import {helper} from "../../test/helper.js";\nexport const a = helper;\n',
	'source/engine/typo.ts': 'import {nothing} from "./no-such-module.js";\nexport const a = nothing;\n',
	'source/engine/monitor/sampler.ts': 'import {freeDisk} from "../migration/preflight.js";\nimport {events} from "../events.js";\nexport const sample = [freeDisk, events];\n',
	'source/engine/migration/preflight.ts': 'import {sample} from "../../engine/util/disk.js";\nexport const freeDisk = sample;\n',
	'source/engine/util/disk.ts': 'export const sample = 1;\n',
	'source/engine/cycle-a.ts': 'import {b} from "./cycle-b.js";\nexport const a = () => b;\n',
	'source/engine/cycle-b.ts': 'import {a} from "./cycle-a.js";\nexport const b = () => a;\n',
	'source/ui/view.ts': 'import type {RunEvent} from "../engine/events.js";\nimport {yes} from "../commands/shared/flags.js";\nexport type View = RunEvent;\nexport const view = yes;\n',
	'source/ui/state.ts': 'import type {Panel} from "./panel.js";\nexport type State = {panels: Panel[]};\n',
	'source/ui/panel.ts': 'import type {State} from "./state.js";\nexport type Panel = {parent?: State};\n',
	'source/commands/shared/flags.ts': 'export const yes = true;\n',
	'source/commands/shared/helper.ts': 'import {check} from "../check.js";\nexport const helper = check;\n',
	'source/commands/check.ts': 'import {plan} from "./plan.js";\nimport {yes} from "./shared/flags.js";\nimport type {RunEvent} from "../engine/events.js";\nimport type {View} from "../ui/view.js";\nexport type E = RunEvent | View;\nexport const check = plan && yes;\n',
	'source/commands/plan.ts': 'import {yes} from "./shared/flags.js";\nexport const plan = yes;\n',
	'source/commands/registry.ts': 'import {check} from "./check.js";\nimport {plan} from "./plan.js";\nexport const commands = [check, plan];\n',
	'source/main.ts': 'import {commands} from "./commands/registry.js";\nexport const main = commands;\n',
	'source/demo/sample.ts': 'import type {RunEvent} from "../engine/events.js";\nexport const demo = 1;\nexport type D = RunEvent;\n',
	'source/models/tiny.ts': 'export const tiny = 1;\n',
	'source/bench/run.ts': 'export const bench = 1;\n',
	'test/helper.ts': 'import {check} from "../source/commands/check.js";\nexport const helper = check;\n',
};

describe('architecture rules (.dependency-cruiser.mjs)', () => {
	it('reports each forbidden import by its rule, and nothing for the allowed ones', () => {
		const directory = makeTempDir();
		for (const [file, text] of Object.entries(fixture)) {
			mkdirSync(path.dirname(path.join(directory, file)), {recursive: true});
			writeFileSync(path.join(directory, file), text);
		}

		assert.deepEqual(describeViolations(violationsIn(directory, ['source', 'test'])), [
			'command-not-to-command: source/commands/check.ts → source/commands/plan.ts',
			'engine-not-to-commands: source/engine/uses-command.ts → source/commands/check.ts',
			'engine-not-to-commands: source/engine/uses-main.ts → source/main.ts',
			'engine-not-to-demo-models-bench: source/engine/uses-bench.ts → source/bench/run.ts',
			'engine-not-to-demo-models-bench: source/engine/uses-demo.ts → source/demo/sample.ts',
			'engine-not-to-demo-models-bench: source/engine/uses-models.ts → source/models/tiny.ts',
			'engine-not-to-ui: source/engine/uses-ui-type.ts → source/ui/view.ts',
			'engine-not-to-ui: source/engine/uses-ui.ts → source/ui/view.ts',
			'monitor-not-to-migration: source/engine/monitor/sampler.ts → source/engine/migration/preflight.ts',
			'no-circular: source/engine/cycle-a.ts → source/engine/cycle-b.ts',
			'no-circular: source/ui/panel.ts → source/ui/state.ts',
			'not-to-unresolvable: source/engine/typo.ts → ./no-such-module.js',
			'shared-not-to-commands: source/commands/shared/helper.ts → source/commands/check.ts',
			'source-not-to-test: source/engine/uses-test.ts → test/helper.ts',
			'ui-not-to-commands: source/ui/view.ts → source/commands/shared/flags.ts',
		]);
		// The reporter `npm run lint:architecture` uses exits non-zero, which fails `npm test`.
		const lint = runDepcruise(directory, ['source', 'test'], 'err');
		assert.notEqual(lint.status, 0);
		assert.match(lint.stdout, /error engine-not-to-ui: source\/engine\/uses-ui\.ts → source\/ui\/view\.ts/);
	});

	it('passes on this repository (npm run lint:architecture)', () => {
		assert.deepEqual(describeViolations(violationsIn(root, ['source', 'test', 'scripts'])), []);
	});
});
