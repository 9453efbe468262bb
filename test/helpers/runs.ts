/** Figures of reference runs that fault tests aim at. */
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {FaultInjector} from '../../source/engine/migration/faults.js';
import {Migration} from '../../source/engine/migration/migration.js';
import {openWorkspace} from '../../source/engine/workspace.js';
import {demoWorkspace} from './workspace.js';

let cutOverLine: Promise<number> | undefined;

/** Where the cut-over's line falls in a full run of the demo workspace (deterministic) at batch size 16; one run per process. */
export async function cutOverLineOfAFullRun(): Promise<number> {
	cutOverLine ??= referenceCutOverLine();
	return cutOverLine;
}

async function referenceCutOverLine(): Promise<number> {
	const reference = await demoWorkspace();
	const full = await new Migration({workspace: openWorkspace(reference.root), env: {}, batchSize: 16, faults: new FaultInjector([])}).run();
	assert.equal(full.status, 'done');
	const lines = readFileSync(full.status === 'done' ? full.logFile : '', 'utf8').trim().split('\n');
	const line = lines.findIndex(text => text.includes('切換完成')) + 1;
	assert.ok(line > 1, 'the reference run logged its cut-over');
	return line;
}
