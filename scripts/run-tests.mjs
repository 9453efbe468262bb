#!/usr/bin/env node
// Runs the compiled tests (.build/test/**/*.test.js) with Node's test runner. Tests are compiled
// rather than run through a TypeScript loader because the engine starts worker threads, which
// need plain JavaScript. Arguments filter by path substring: `node scripts/run-tests.mjs settings`.
import {spawnSync} from 'node:child_process';
import {readdirSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const testRoot = path.join(root, '.build', 'test');

function findTests(directory) {
	return readdirSync(directory, {withFileTypes: true}).flatMap(entry => {
		const full = path.join(directory, entry.name);
		if (entry.isDirectory()) {
			return findTests(full);
		}

		return entry.name.endsWith('.test.js') ? [full] : [];
	});
}

const filters = process.argv.slice(2);
const files = findTests(testRoot)
	// Match below .build/test only: the checkout's own path (e.g. a worktree named wt-commands) must not match every file.
	.filter(file => filters.length === 0 || filters.some(filter => path.relative(testRoot, file).includes(filter)))
	.sort();
if (files.length === 0) {
	console.error(`no compiled tests found under ${testRoot} (run: npm run typecheck)`);
	process.exit(1);
}

const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {stdio: 'inherit', cwd: root});
process.exit(result.status ?? 1);
