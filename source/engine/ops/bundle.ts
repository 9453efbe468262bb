/**
 * `bundle`: the guide's "collect this for support" list as one .tar.gz — versions, settings.json
 * with secrets redacted, the last 200 log lines, `check` and `verify` results, memory and disk.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import os from 'node:os';
import {errorMessage} from '../errors.js';
import {formatJsonSyntaxProblem, LosslessNumber, parseJsonLossless, stringifyJsonLossless} from '../settings/json-lossless.js';
import {newestLogFile} from '../log/follow.js';
import {ResourceSampler, systemSources} from '../monitor/resources.js';
import {tarGzip} from '../util/tar.js';
import {openWorkspace, type LenientWorkspace} from '../workspace.js';
import {runCheck, type CheckOptions} from './check.js';
import {packageVersion} from './native-modules.js';
import {runVerify} from './verify.js';

const secretKey = /token|key|secret|password|webhook/i;
export const redacted = '[REDACTED]';

/** A copy of a JSON value with the value of every secret-looking key replaced. */
export function redactSecrets(value: unknown): unknown {
	if (value instanceof LosslessNumber) {
		return value;
	}

	if (Array.isArray(value)) {
		return value.map(item => redactSecrets(item));
	}

	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, secretKey.test(key) ? redacted : redactSecrets(item)]));
	}

	return value;
}

function settingsCopy(file: string): string {
	if (!existsSync(file)) {
		return '(settings.json not found)\n';
	}

	const parsed = parseJsonLossless(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
	if (!parsed.ok) {
		// Unparsable: the parse error only, never the raw text (it may hold secrets).
		return `(settings.json is not valid JSON: ${formatJsonSyntaxProblem(parsed.problem)}; its content is left out because secrets could not be redacted)\n`;
	}

	return `${stringifyJsonLossless(redactSecrets(parsed.value))}\n`;
}

function tailLines(file: string | undefined, count: number): string {
	if (!file) {
		return '(no logs)\n';
	}

	const lines = readFileSync(file, 'utf8').split('\n');
	return `${lines.slice(-count - 1).join('\n')}\n`;
}

function npmVersion(): string {
	const result = spawnSync('npm', ['--version'], {encoding: 'utf8', timeout: 10_000});
	return result.status === 0 ? result.stdout.trim() : 'unknown';
}

async function safely<T>(run: () => Promise<T>): Promise<T | {error: string}> {
	try {
		return await run();
	} catch (error) {
		return {error: errorMessage(error)};
	}
}

/** Works with broken settings: collecting them is the point of a support bundle. */
export async function buildSupportBundle(workspace: LenientWorkspace, options: CheckOptions = {}): Promise<{archive: Buffer; files: string[]}> {
	const {paths} = workspace;
	const root = paths.root;
	const sampler = new ResourceSampler(systemSources(root));
	sampler.sample();
	await new Promise(resolve => setTimeout(resolve, 300));
	const system = {
		date: new Date().toISOString(),
		os: {type: os.type(), release: os.release(), platform: os.platform(), arch: os.arch(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model},
		node: process.version,
		npm: npmVersion(),
		packages: Object.fromEntries(
			['better-sqlite3', 'faiss-node', 'onnxruntime-node', '@huggingface/transformers', 'ink', 'react', 'systeminformation'].map(name => [name, packageVersion(name) ?? 'missing']),
		),
	};
	const files = [
		{name: 'system.json', content: `${JSON.stringify(system, undefined, 2)}\n`},
		{name: 'settings.redacted.json', content: settingsCopy(paths.settings)},
		{name: 'logs-tail.txt', content: tailLines(newestLogFile(paths.logs), 200)},
		{name: 'check.json', content: `${JSON.stringify(await safely(async () => runCheck(workspace, options)), undefined, 2)}\n`},
		{name: 'verify.json', content: `${JSON.stringify(await safely(async () => runVerify(openWorkspace(root))), undefined, 2)}\n`},
		{name: 'resources.json', content: `${JSON.stringify(sampler.sample(), undefined, 2)}\n`},
		{name: 'README.txt', content: 'qwen3-migrate support bundle: versions (system.json), settings with secrets redacted, the last 200 log lines, check and verify results, memory and disk.\n'},
	];
	return {archive: tarGzip(files.map(file => ({name: `qwen3-migrate-support/${file.name}`, content: file.content}))), files: files.map(file => file.name)};
}
