import assert from 'node:assert/strict';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {describe, it} from 'node:test';
import {Linter} from 'eslint';
import tseslint from 'typescript-eslint';

/** .build/test/architecture → the repository root. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The project's blocks that restrict imports, exactly as eslint.config.js declares them. */
async function restrictingBlocks(): Promise<Linter.Config[]> {
	const module = (await import(pathToFileURL(path.join(root, 'eslint.config.js')).href)) as {default: Linter.Config[]};
	const blocks = module.default.filter(block => block.rules && 'no-restricted-imports' in block.rules);
	assert.ok(blocks.length > 0, 'eslint.config.js restricts the engine\'s imports');
	return blocks;
}

async function lint(file: string, code: string): Promise<string[]> {
	const linter = new Linter({cwd: root});
	const config: Linter.Config[] = [{files: ['**/*.ts'], languageOptions: {parser: tseslint.parser}}, ...(await restrictingBlocks())];
	return linter.verify(code, config, path.join(root, file)).map(message => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

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
