#!/usr/bin/env node
/**
 * The qwen3-migrate executable. React is switched to its production build before anything loads
 * it (the development build costs the dashboard several times the CPU), then the CLI runs.
 *
 * Ink decides once, when it loads, whether it runs under CI (CI or CONTINUOUS_INTEGRATION set),
 * and if so draws nothing until it exits. A dashboard in a real terminal must draw even when the
 * shell exports CI (CI runners, some cloud shells), so those variables are hidden while the
 * modules load and put back before any command runs or any child process starts.
 */
process.env.NODE_ENV ??= 'production';
const ciVariables = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
const terminal = Boolean(process.stdout.isTTY && process.stdin.isTTY);
const hidden = new Map<string, string>();
if (terminal) {
	for (const name of ciVariables) {
		const value = process.env[name];
		if (value !== undefined) {
			hidden.set(name, value);
			delete process.env[name];
		}
	}
}

const {run} = await import('./main.js');
for (const [name, value] of hidden) {
	process.env[name] = value;
}

process.exitCode = await run();
