/** Runs the compiled CLI as a user would, capturing its output and exit code. */
import {spawnSync} from 'node:child_process';
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
