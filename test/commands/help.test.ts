import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {describe, it} from 'node:test';
import {UsageError} from '../../source/engine/errors.js';
import {flagLabel} from '../../source/commands/shared/define-command.js';
import {commands, guideFlagAliases} from '../../source/commands/registry.js';
import {makeTempDir} from '../helpers/temp.js';

describe('command help', () => {
	it('lays every command out as Usage, Options, Examples, listing each declared flag once', () => {
		for (const command of commands) {
			const sections = command.help.split('\n').filter(line => /^[A-Z][a-z]+$/.test(line));
			assert.deepEqual(sections.filter(name => ['Usage', 'Options', 'Examples'].includes(name)), ['Usage', 'Options', 'Examples'], command.name);
			const options = command.help.split('\nOptions\n')[1]!.split('\n\n')[0]!;
			for (const [name, declaration] of Object.entries(command.flags)) {
				const rows = options.split('\n').filter(line => line.startsWith(`  ${flagLabel(name, declaration)} `));
				assert.equal(rows.length, 1, `${command.name} --help lists ${flagLabel(name, declaration)}`);
				assert.ok(declaration.description.length > 0, `${command.name} ${name} has a description`);
			}

			assert.match(command.help, new RegExp(`\\$ qwen3-migrate (${command.name}|--)`), `${command.name} has an example`);
		}
	});

	it('states each default the parser applies, so the help and the behaviour cannot disagree', () => {
		for (const command of commands) {
			for (const [name, declaration] of Object.entries(command.flags)) {
				if (declaration.type !== 'boolean' && declaration.default !== undefined) {
					const value = String(declaration.default).replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
					assert.match(declaration.description, new RegExp(`[Dd]efault:? ${value}(?!\\d)`), `${command.name} --${name}`);
				}
			}
		}
	});

	it('maps the guide\'s spellings onto commands that exist', () => {
		const names = new Set(commands.map(command => command.name));
		assert.deepEqual(Object.values(guideFlagAliases).filter(name => !names.has(name)), []);
		assert.deepEqual(Object.keys(guideFlagAliases).sort(), ['--check-only', '--dry-run', '--migrate', '--verify']);
	});
});

describe('registered commands', () => {
	it('each refuses a flag it does not take before doing anything, naming the flag and the command', async () => {
		const cwd = makeTempDir();
		const context = {stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd, interactive: false, signal: new AbortController().signal};
		for (const command of commands) {
			await assert.rejects(command.run(['--frobnicate', '--workspace', cwd], context), (error: unknown) => {
				assert.ok(error instanceof UsageError, `${command.name}: ${String(error)}`);
				assert.equal(error.message, `unknown option --frobnicate for "${command.name}"`);
				assert.equal(error.hint, `run \`qwen3-migrate ${command.name} --help\` to see its options`);
				return true;
			});
		}

		assert.equal(context.stdout.read(), null, 'nothing printed');
	});
});
