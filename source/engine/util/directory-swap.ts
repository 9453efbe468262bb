/**
 * Replaces a directory with another by two renames made beside the live directory's real location,
 * so a symlinked indices/ keeps its link and the renames never cross filesystems. Each step leaves
 * names on disk that say how far it got, so calling it again after a kill finishes the swap.
 */
import {cpSync, existsSync, renameSync, rmSync} from 'node:fs';
import path from 'node:path';
import {renameDurably} from './atomic-write.js';
import {killPoint, type KillPoint} from './kill-points.js';
import {followLinks} from './symlinks.js';

export type SwapPlaces = {
	/** The live directory's final target (the link followed). */
	target: string;
	/** Where the replacement waits beside the target before the swap. */
	incoming: string;
	/** Where the old directory goes for the instant between the two renames. */
	retired: string;
};

/** The names a swap of `live` uses; `retired` defaults to `<target>.qwen3-retired`. */
export function swapPlaces(live: string): SwapPlaces {
	const target = followLinks(live);
	return {target, incoming: `${target}.qwen3-incoming`, retired: `${target}.qwen3-retired`};
}

/**
 * Moves `replacement` beside the target (a rename when it already is on the same directory, else
 * a copy first), then retires the live directory and renames the replacement into place.
 * Returns false when nothing was staged any more: the swap had already happened.
 */
export function swapDirectory(live: string, replacement: string, points: {retired?: KillPoint} = {}): boolean {
	const places = swapPlaces(live);
	const {target, incoming, retired} = places;
	if (replacement !== incoming && existsSync(replacement)) {
		rmSync(incoming, {recursive: true, force: true});
		if (path.dirname(replacement) === path.dirname(target)) {
			renameSync(replacement, incoming);
		} else {
			// Another filesystem perhaps: copy beside the target; the source goes only once the copy is whole.
			cpSync(replacement, incoming, {recursive: true, dereference: true});
			rmSync(replacement, {recursive: true, force: true});
		}
	}

	if (!existsSync(incoming)) {
		if (existsSync(target)) {
			rmSync(retired, {recursive: true, force: true});
		}

		return false;
	}

	if (existsSync(target)) {
		rmSync(retired, {recursive: true, force: true});
		renameSync(target, retired);
		if (points.retired) {
			killPoint(points.retired);
		}
	}

	renameDurably(incoming, target);
	rmSync(retired, {recursive: true, force: true});
	return true;
}
