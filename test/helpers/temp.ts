/** Temporary directories for tests, removed when the process exits. */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

const created: string[] = [];
process.on('exit', () => {
	for (const directory of created) {
		rmSync(directory, {recursive: true, force: true});
	}
});

export function makeTempDir(prefix = 'qwen3-migrate-test-'): string {
	const directory = mkdtempSync(path.join(tmpdir(), prefix));
	created.push(directory);
	return directory;
}
