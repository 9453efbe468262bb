/**
 * Configuration management often makes settings.json, the database or indices/ symlinks. Writes
 * must go through to the file the link names, and the link must stay a link: every atomic
 * replace (temp file + rename) therefore happens beside the link's final target, not the link.
 */
import {lstatSync, readlinkSync} from 'node:fs';
import path from 'node:path';

/** Symlink hops followed before giving up (the kernel's own limit is 40). */
const maxHops = 40;

/**
 * The path a chain of symlinks ends at. Unlike realpath it works when that target does not exist
 * (yet, or any more: a swap killed between its two renames), so a resumed swap finds its place.
 */
export function followLinks(file: string): string {
	let current = path.resolve(file);
	for (let hop = 0; hop < maxHops; hop++) {
		let isLink: boolean;
		try {
			isLink = lstatSync(current).isSymbolicLink();
		} catch {
			return current;
		}

		if (!isLink) {
			return current;
		}

		current = path.resolve(path.dirname(current), readlinkSync(current));
	}

	return current;
}
