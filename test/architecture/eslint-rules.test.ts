import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {describe, it} from 'node:test';
import {Linter} from 'eslint';
import tseslint from 'typescript-eslint';

/** .build/test/architecture → the repository root. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The project's blocks that set one of `rules`, exactly as eslint.config.js declares them. */
async function blocksWith(rules: string[]): Promise<Linter.Config[]> {
	const module = (await import(pathToFileURL(path.join(root, 'eslint.config.js')).href)) as {default: Linter.Config[]};
	const blocks = module.default.filter(block => block.rules && rules.some(rule => rule in block.rules!));
	assert.ok(blocks.length > 0, `eslint.config.js sets ${rules.join(', ')}`);
	return blocks;
}

async function lint(file: string, code: string, rules = ['no-restricted-imports']): Promise<string[]> {
	const linter = new Linter({cwd: root});
	const config: Linter.Config[] = [{files: ['**/*.ts'], languageOptions: {parser: tseslint.parser}}, ...(await blocksWith(rules))];
	return linter.verify(code, config, path.join(root, file)).map(message => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

/** A function `lines` lines long, first line to closing brace. */
const functionOfLines = (lines: number) => ['export function long(): number {', '\tlet total = 0;', ...Array.from({length: lines - 4}, (_, index) => `\ttotal += ${index};`), '\treturn total;', '}'].join('\n');
const sizeRules = ['max-lines', 'max-lines-per-function'];

describe('ESLint import restrictions (eslint.config.js)', () => {
	it('flags an engine file that imports the UI, a command, the CLI, the demo or the generated models', async () => {
		const code = [
			'import {detectCapabilities} from "../../ui/terminal.js";',
			'import type {Command} from "../../commands/shared/define-command.js";',
			'import {run} from "../../main.js";',
			'import {createDemoWorkspace} from "../../demo/create-workspace.js";',
			'import {writeTinyModels} from "../../models/tiny.js";',
			'import {openMemoryDatabase} from "../db/database.js";',
			'export type C = Command;',
			'export const all = [detectCapabilities, run, createDemoWorkspace, writeTinyModels, openMemoryDatabase];',
		].join('\n');
		const messages = await lint('source/engine/migration/example.ts', code);
		assert.equal(messages.length, 5, messages.join('\n'));
		for (const [index, specifier] of ['../../ui/terminal.js', '../../commands/shared/define-command.js', '../../main.js'].entries()) {
			assert.match(messages[index]!, new RegExp(`^no-restricted-imports: '${specifier.replaceAll('.', '\\.')}' import is restricted .*never imports the UI or the CLI`));
		}

		assert.match(messages[3]!, /^no-restricted-imports: '\.\.\/\.\.\/demo\/create-workspace\.js' .*demo workspaces, generated models and the bench build on it/);
		assert.match(messages[4]!, /^no-restricted-imports: '\.\.\/\.\.\/models\/tiny\.js' /);
	});

	it('leaves the UI and the commands free to import the engine and what they build on', async () => {
		assert.deepEqual(await lint('source/ui/example.ts', 'import {x} from "../engine/events.js";\nimport {y} from "./terminal.js";\nexport const z = [x, y];\n'), []);
		assert.deepEqual(await lint('source/commands/example.ts', 'import {x} from "../ui/terminal.js";\nimport {y} from "../demo/create-workspace.js";\nexport const z = [x, y];\n'), []);
	});
});

describe('ESLint size limits (eslint.config.js)', () => {
	it('reports an engine function over 60 lines, and passes one of 60', async () => {
		assert.deepEqual(await lint('source/engine/migration/example.ts', functionOfLines(60) + '\n', sizeRules), []);
		const messages = await lint('source/engine/migration/example.ts', functionOfLines(61) + '\n', sizeRules);
		assert.equal(messages.length, 1, messages.join('\n'));
		assert.match(messages[0]!, /^max-lines-per-function: Function 'long' has too many lines \(61\)\. Maximum allowed is 60\./);
	});

	it('holds functions to 60 lines in the engine only (a dashboard component may be longer)', async () => {
		assert.deepEqual(await lint('source/ui/example.ts', functionOfLines(80) + '\n', sizeRules), []);
	});

	it('reports a source file over 300 lines anywhere in source/, unless its top comment says why', async () => {
		const longFile = Array.from({length: 301}, (_, index) => `export const value${index} = ${index};`).join('\n') + '\n';
		for (const file of ['source/ui/example.ts', 'source/engine/example.ts', 'source/bench/example.ts']) {
			const messages = await lint(file, longFile, sizeRules);
			assert.equal(messages.length, 1, `${file}: ${messages.join('\n')}`);
			assert.match(messages[0]!, /^max-lines: File has too many lines \(301\)\. Maximum allowed is 300\./);
		}

		const excused = '/* eslint-disable max-lines -- a list of independent sections */\n' + longFile;
		assert.deepEqual(await lint('source/bench/example.ts', excused, sizeRules), []);
	});
});

/** Every script file under `directory`, relative to the repository root. */
function sourceFiles(directory: string): string[] {
	return readdirSync(path.join(root, directory), {recursive: true, encoding: 'utf8'})
		.filter(file => /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(file))
		.map(file => path.join(directory, file));
}

/** An eslint-disable comment anywhere on a line (also after code), with what follows it. */
const disableComment = /(?:\/\/|\/\*)\s*eslint-disable(?:-next-line|-line)?(?=\s|\*\/|$)(.*?)(?:\*\/.*)?$/;
const givesReason = (rest: string) => /\S\s+--\s+\S/.test(rest);

describe('lint exceptions', () => {
	it('the scan recognises a disable comment with and without a reason, bare, or after code', () => {
		const reasons = ['// eslint-disable-next-line no-control-regex -- the escape is tested', '/* eslint-disable max-lines -- a list */', '// eslint-disable-next-line', 'run(); // eslint-disable-line no-console', '/* eslint-disable */'].map(line => {
			const match = disableComment.exec(line);
			return match ? givesReason(match[1]!) : 'not found';
		});
		assert.deepEqual(reasons, [true, true, false, false, false]);
		assert.equal(disableComment.exec('const text = "eslint-disabled";'), null);
	});

	it('every eslint-disable comment in source, test and scripts says why (`-- reason`)', () => {
		const files = ['source', 'test', 'scripts'].flatMap(directory => sourceFiles(directory));
		assert.ok(files.length > 300, `${files.length} files read`);
		const silent: string[] = [];
		const found: string[] = [];
		for (const file of files) {
			for (const [index, line] of readFileSync(path.join(root, file), 'utf8').split('\n').entries()) {
				const comment = disableComment.exec(line);
				if (comment) {
					found.push(file);
					if (!givesReason(comment[1]!)) {
						silent.push(`${file}:${index + 1}: ${line.trim()}`);
					}
				}
			}
		}

		assert.ok(found.includes(path.join('source', 'bench', 'run.ts')), 'the scan finds the known exception (source/bench/run.ts)');
		assert.deepEqual(silent, [], 'add `-- why` to each');
	});
});
