/**
 * Preflight writability: every place a run writes is tried before anything is written, so an
 * unwritable settings.json (or indices/, a backup location) is refused up front instead of being
 * found at cut-over after the indexes were swapped. Permission bits alone do not tell (root ignores
 * them; an immutable file or a read-only mount refuses root too), so each place is really opened.
 */
import {closeSync, existsSync, openSync, realpathSync, rmSync, statSync} from 'node:fs';
import path from 'node:path';
import {AppError, exitCodes} from '../errors.js';
import type {WorkspacePaths} from '../workspace.js';

/** The path with symlinks followed (writes go through to the target), or as given when missing. */
function real(file: string): string {
	try {
		return realpathSync(file);
	} catch {
		return path.resolve(file);
	}
}

function refuse(what: string, file: string, cause: unknown): AppError {
	const code = (cause as NodeJS.ErrnoException).code ?? 'error';
	return new AppError('usage', `${what} ${file} is not writable (${code}); nothing was written`, {
		hint: code === 'EROFS' ? 'the filesystem is mounted read-only: remount it read-write' : `make it writable (chmod u+w, chown, or chattr -i ${file}) and run migrate again`,
		cause,
		exitCode: exitCodes.config,
	});
}

/** Opens an existing file for writing without changing a byte. */
function probeFile(what: string, file: string): void {
	try {
		closeSync(openSync(file, 'r+'));
	} catch (error) {
		throw refuse(what, file, error);
	}
}

/** Creates and removes an empty file in a directory (where temp files, backups and renames land). */
function probeDirectory(what: string, directory: string): void {
	const probe = path.join(directory, `.qwen3-migrate-probe.${process.pid}`);
	try {
		closeSync(openSync(probe, 'wx'));
	} catch (error) {
		throw refuse(what, directory, error);
	} finally {
		rmSync(probe, {force: true});
	}
}

/**
 * Checks settings.json, indices/, the database's directory and the backup locations, and that the
 * staging directory and indices/ are on one filesystem (the cut-over swaps them by rename, which
 * cannot cross filesystems).
 */
export function assertWorkspaceWritable(paths: WorkspacePaths): void {
	const settings = real(paths.settings);
	probeFile('settings.json', settings);
	probeDirectory('the directory of settings.json (atomic rewrite, settings.json.backup)', path.dirname(settings));
	probeDirectory('the database directory (WAL, memory.db.backup, indices.backup/, staging)', path.dirname(real(paths.database)));
	const indices = real(paths.indices);
	if (existsSync(indices)) {
		probeDirectory('indices/', indices);
		const stagingParent = path.dirname(paths.indicesStaging);
		if (statSync(path.dirname(indices)).dev !== statSync(stagingParent).dev) {
			throw new AppError('usage', `indices/ (${indices}) is not on the same filesystem as ${stagingParent}, where the new indexes are staged: the cut-over's rename cannot cross filesystems; nothing was written`, {
				hint: `move indices/ back beside memory.db (mv ${indices} ${paths.indices}), or put memory.db on the same filesystem`,
				exitCode: exitCodes.config,
			});
		}
	}
}
