/** The checkout's own TypeScript sources, for tests that read the code (ownership, event and log-line rules). */
import {readdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** .build/test/helpers → the checkout's source/ (the .ts files, not the compiled ones). */
export const sourceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../source');
export const testRoot = path.resolve(sourceRoot, '../test');

/** Every .ts/.tsx file below `directory`. */
export function sourceFiles(directory: string): string[] {
	return readdirSync(directory, {withFileTypes: true}).flatMap(entry => {
		const full = path.join(directory, entry.name);
		if (entry.isDirectory()) {
			return sourceFiles(full);
		}

		return /\.tsx?$/.test(entry.name) ? [full] : [];
	});
}
