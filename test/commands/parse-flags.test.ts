import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {UsageError} from '../../source/engine/errors.js';
import {integerIn} from '../../source/commands/shared/flags.js';
import {parseArguments} from '../../source/commands/shared/parse-flags.js';

const declarations = {
	workspace: {type: 'string', short: 'w', valueName: 'DIR', default: '.', description: 'The directory'},
	device: {type: 'string', valueName: 'NAME', choices: ['auto', 'cpu', 'cuda'], description: 'Where to run'},
	batchSize: {type: 'number', valueName: 'N', validate: integerIn('--batch-size', 1, 4096, 'e.g. --batch-size 32'), description: 'Per call'},
	seed: {type: 'number', valueName: 'S', default: 42, description: 'Seed (default 42)'},
	yes: {type: 'boolean', short: 'y', default: false, description: 'Do not ask'},
	ui: {type: 'boolean', default: true, description: 'No dashboard'},
	retryFailed: {type: 'boolean', description: 'Retry', aliases: ['retry']},
	endpoint: {type: 'string', valueName: 'URL', repeatable: true, description: 'Servers (repeatable)'},
	tag: {type: 'string', valueName: 'T', repeatable: true, choices: ['a', 'b'], description: 'Tags (repeatable)'},
} as const;

const parse = (...argv: string[]) => parseArguments('migrate', declarations, argv);

/** The refusal's message, checked to be a usage error (exit 2) with a fix line. */
function refusal(argv: string[]): string {
	try {
		parse(...argv);
	} catch (error) {
		assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
		assert.equal(error.exitCode, 2);
		assert.ok(error.hint, 'a fix comes with it');
		return error.message;
	}

	return assert.fail(`accepted: ${argv.join(' ')}`);
}

describe('command flags', () => {
	it('gives defaults for what is not given: booleans false (or their default), the rest their default or undefined', () => {
		const {input, flags} = parse();
		assert.deepEqual(input, []);
		assert.deepEqual({...flags}, {workspace: '.', device: undefined, batchSize: undefined, seed: 42, yes: false, ui: true, retryFailed: false, endpoint: [], tag: []});
	});

	it('types each value from its declaration', () => {
		const {flags} = parse('--device', 'cpu', '--batch-size', '8');
		const device: 'auto' | 'cpu' | 'cuda' | undefined = flags.device;
		const batchSize: number | undefined = flags.batchSize;
		const yes: boolean = flags.yes;
		// @ts-expect-error a string flag is not a number: the handler's values are typed, not `any`
		const notANumber: number = flags.workspace;
		assert.deepEqual([device, batchSize, yes, notANumber], ['cpu', 8, false, '.']);
	});

	it('accepts every spelling: --kebab-case, --camelCase, =value, short forms, aliases and --no-', () => {
		const {input, flags} = parse('dir', '-w', '/srv/bot', '--batchSize=16', '-y', '--no-ui', '--retry', '--seed=-3');
		assert.deepEqual(input, ['dir']);
		assert.deepEqual({...flags}, {workspace: '/srv/bot', device: undefined, batchSize: 16, seed: -3, yes: true, ui: false, retryFailed: true, endpoint: [], tag: []});
		assert.equal(parse('--ui=false').flags.ui, false);
		assert.equal(parse('--seed', '-7').flags.seed, -7, 'a negative number is a value, not a flag');
	});

	it('treats everything after -- as arguments', () => {
		assert.deepEqual(parse('--', '--yes', '-w').input, ['--yes', '-w']);
	});

	it('refuses an unknown flag, naming it and the command', () => {
		assert.equal(refusal(['--once']), 'unknown option --once for "migrate"');
		assert.equal(refusal(['--batch-size=3', '-q']), 'unknown option -q for "migrate"');
		assert.equal(refusal(['--no-workspace']), 'unknown option --no-workspace for "migrate"', 'only booleans have a --no- form');
	});

	it('refuses a missing value, a non-number, an out-of-range number and a value outside the choices', () => {
		assert.equal(refusal(['--workspace']), '--workspace needs a value');
		assert.equal(refusal(['--workspace', '--yes']), '--workspace needs a value');
		assert.equal(refusal(['--batch-size', 'lots']), '--batch-size: expected a number, received "lots"');
		assert.equal(refusal(['--batch-size', '']), '--batch-size: expected a number, received ""');
		assert.equal(refusal(['--batch-size', '0']), '--batch-size: expected an integer from 1 to 4096, received 0');
		assert.equal(refusal(['--batch-size=2.5']), '--batch-size: expected an integer from 1 to 4096, received 2.5');
		assert.equal(refusal(['--device', 'gpu']), '--device: expected one of auto, cpu, cuda, received "gpu"');
		assert.equal(refusal(['--yes=maybe']), '--yes: takes no value, received "maybe"');
	});

	it('refuses a flag given twice, whatever its spelling', () => {
		assert.equal(refusal(['-y', '--yes']), '--yes is given more than once');
		assert.equal(refusal(['--ui', '--no-ui']), '--ui is given more than once');
		assert.equal(refusal(['--workspace', 'a', '-w', 'b']), '--workspace is given more than once');
		assert.equal(refusal(['--seed=1', '--seed', '2']), '--seed is given more than once');
	});

	it('collects a repeatable flag in order, from every spelling, and types it as a list', () => {
		const {flags} = parse('--endpoint', 'http://a/v1', '--endpoint=http://b/v1,http://c/v1', '--endpoint', 'http://a/v1');
		const endpoints: readonly string[] = flags.endpoint;
		assert.deepEqual(endpoints, ['http://a/v1', 'http://b/v1,http://c/v1', 'http://a/v1'], 'the command splits commas and drops duplicates, not the parser');
		assert.deepEqual(parse('--tag', 'a', '--tag=b').flags.tag, ['a', 'b']);
	});

	it('refuses a repeatable flag without a value, or with one value outside its choices, naming that value', () => {
		assert.equal(refusal(['--endpoint', 'http://a/v1', '--endpoint']), '--endpoint needs a value');
		assert.equal(refusal(['--endpoint', '--yes']), '--endpoint needs a value');
		assert.equal(refusal(['--tag', 'a', '--tag', 'c']), '--tag: expected one of a, b, received "c"');
	});
});
