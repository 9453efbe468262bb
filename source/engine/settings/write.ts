/** Rewrites settings.json atomically, changing only the keys asked for and keeping all others. */
import {loadSettings, validateSettings, type LoadedSettings} from './load.js';
import {writeFileAtomic} from '../util/atomic-write.js';
import {stringifyJsonLossless} from './json-lossless.js';

export type SettingsPatch = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) {
		return false;
	}

	const prototype = Object.getPrototypeOf(value) as unknown;
	return prototype === Object.prototype || prototype === null;
}

/** Deep-merges `patch` into a copy of `raw`: objects merge, everything else replaces. */
export function mergeSettings(raw: Record<string, unknown>, patch: SettingsPatch): Record<string, unknown> {
	const merged: Record<string, unknown> = {...raw};
	for (const [key, value] of Object.entries(patch)) {
		const existing = merged[key];
		merged[key] = isPlainObject(existing) && isPlainObject(value) ? mergeSettings(existing, value) : value;
	}

	return merged;
}

/** The bot's files use two-space indentation and keep non-ASCII text as is (ensure_ascii=False). */
export function serializeSettings(raw: Record<string, unknown>): string {
	return `${stringifyJsonLossless(raw)}\n`;
}

/**
 * Applies `patch` to the settings file. The result is validated before anything is written, so a
 * patch that would make the file invalid leaves it untouched.
 */
export function updateSettings(file: string, patch: SettingsPatch): LoadedSettings {
	const current = loadSettings(file);
	const raw = mergeSettings(current.raw, patch);
	const settings = validateSettings(file, raw);
	writeFileAtomic(file, serializeSettings(raw));
	return {file, raw, settings};
}
