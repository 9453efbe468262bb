import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {matchProblem, problemCatalogue, type ProblemId} from '../../../source/engine/diagnosis/catalogue.js';
import {logMarkers} from '../../../source/engine/log/messages.js';
import {sourceFiles, sourceRoot} from '../../helpers/source-tree.js';

const engineDir = path.join(sourceRoot, 'engine');


describe('diagnosis catalogue and log messages', () => {
	it('recognises each line the engine logs for a problem as that problem', () => {
		const withLines = problemCatalogue.filter(problem => problem.logLines);
		assert.deepEqual(
			withLines.map(problem => problem.id).sort(),
			['database-locked', 'endpoint-out', 'endpoint-rate-limited', 'gpu-oom', 'model-load', 'ram-low', 'stalled'] satisfies ProblemId[],
		);
		for (const problem of withLines) {
			for (const line of problem.logLines!) {
				assert.equal(matchProblem(line)?.id, problem.id, `${problem.id} should recognise: ${line}`);
			}
		}
	});

	it('builds each marker\'s signature from the marker itself, so a reworded message still matches', () => {
		for (const marker of Object.values(logMarkers)) {
			assert.ok(matchProblem(`prefix ${marker} suffix`), `no catalogue entry matches the marker ${marker}`);
		}

		assert.equal(matchProblem('遷移進度: 45.0%'), undefined, 'a plain progress line is no problem');
	});

	it('finds no log line written inline in the engine: each comes from log/messages.ts', () => {
		const inline = /\blog\('(?:DEBUG|INFO|WARNING|ERROR)', *[`'"]/;
		const offenders = sourceFiles(engineDir).flatMap(file =>
			readFileSync(file, 'utf8')
				.split('\n')
				.filter(line => inline.test(line))
				.map(line => `${path.relative(engineDir, file)}: ${line.trim()}`),
		);
		assert.deepEqual(offenders, []);
	});
});

describe('disk full in the catalogue', () => {
	it('is "disk full" with the free-space fix, never "database locked"', () => {
		for (const text of ['disk full on /srv: need about 120.0 MB more', 'SqliteError: database or disk is full', 'ENOSPC: no space left on device, write']) {
			const problem = matchProblem(text);
			assert.equal(problem?.id, 'disk-full', text);
			assert.match(problem.command ?? '', /free space.*qwen3-migrate migrate/);
		}
	});
});
