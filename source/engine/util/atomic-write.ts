/** Whole-file writes that readers never see half done: write a temp file, fsync, rename. */
import {closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync} from 'node:fs';
import path from 'node:path';
import {followLinks} from './symlinks.js';

/** Replaces `link`'s content atomically; a symlink stays a symlink (the write lands in its target). */
export function writeFileAtomic(link: string, content: string | Uint8Array): void {
	const file = followLinks(link);
	const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
	const descriptor = openSync(temporary, 'w', 0o644);
	try {
		writeSync(descriptor, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
		fsyncSync(descriptor);
	} catch (error) {
		closeSync(descriptor);
		rmSync(temporary, {force: true});
		throw error;
	}

	closeSync(descriptor);
	renameSync(temporary, file);
	fsyncDirectory(path.dirname(file));
}

/** Makes a rename durable across power loss. */
export function fsyncDirectory(directory: string): void {
	try {
		const descriptor = openSync(directory, 'r');
		try {
			fsyncSync(descriptor);
		} finally {
			closeSync(descriptor);
		}
	} catch {
		// Some filesystems refuse fsync on directories; the rename itself is still atomic.
	}
}

/** Renames `from` onto `to` and makes it durable: the one atomic step every journaled swap ends in. */
export function renameDurably(from: string, to: string): void {
	renameSync(from, to);
	fsyncDirectory(path.dirname(to));
}
