/** Runs the compiled CLI as a user would, capturing its output and exit code. */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** .build/test/helpers → .build/source/cli.js */
export const cliPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../source/cli.js');

export type CliResult = {status: number | null; stdout: string; stderr: string};

export function runCli(arguments_: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): CliResult {
	const result = spawnSync(process.execPath, [cliPath, ...arguments_], {
		cwd: options.cwd,
		env: {...process.env, NO_COLOR: '1', ...options.env},
		encoding: 'utf8',
		timeout: options.timeoutMs ?? 120_000,
	});
	return {status: result.status, stdout: result.stdout, stderr: result.stderr};
}

export type CliRun = CliResult & {
	/** stdout and stderr interleaved as they arrived. */
	output: string;
};

/**
 * The CLI as a child that does not block this process: for tests whose servers (hub, endpoints)
 * answer from this process, or that signal the child while it runs.
 */
export function startCli(arguments_: string[], env: NodeJS.ProcessEnv = {}): {child: ChildProcess; done: Promise<CliRun>; output: () => string} {
	const child = spawn(process.execPath, [cliPath, ...arguments_], {env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	const run: CliRun = {status: null, stdout: '', stderr: '', output: ''};
	child.stdout.on('data', (chunk: Buffer) => {
		run.stdout += chunk.toString();
		run.output += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		run.stderr += chunk.toString();
		run.output += chunk.toString();
	});
	const done = new Promise<CliRun>(resolve => {
		child.on('close', status => {
			resolve({...run, status});
		});
	});
	return {child, done, output: () => run.output};
}

/** {@link startCli}, awaited. */
export async function runCliAsync(arguments_: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
	return startCli(arguments_, env).done;
}
