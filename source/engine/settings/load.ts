/** Reads and validates settings.json; every failure is one line naming the file and the fix. */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {z} from 'zod';
import {SettingsError} from '../errors.js';
import {offsetBeyondDepth, maxJsonDepth} from './json-depth.js';
import {formatJsonSyntaxProblem, parseJsonLossless} from './json-lossless.js';
import {settingsSchema, type Settings} from './schema.js';

export const exampleHint = 'cp settings_qwen3_example.json settings.json';

export type LoadedSettings = {
	file: string;
	settings: Settings;
	/** The parsed JSON exactly as written, for rewrites that must keep unknown keys. */
	raw: Record<string, unknown>;
};

function readSettingsText(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') {
			throw new SettingsError('settings-missing', `${file}: not found`, `create it with: ${exampleHint} (or pass --workspace DIR)`, error);
		}

		throw new SettingsError('settings-missing', `${file}: cannot be read (${code ?? 'unknown error'})`, 'check the file\'s permissions', error);
	}
}

/** Parses JSON text, turning a syntax error into Python json.tool's wording with line:column. */
export function parseSettingsJson(file: string, text: string): Record<string, unknown> {
	const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
	const tooDeep = offsetBeyondDepth(body);
	if (tooDeep !== undefined) {
		const before = body.slice(0, tooDeep).split('\n');
		throw new SettingsError(
			'settings-syntax',
			`${file}:${before.length}:${before.at(-1)!.length + 1}: JSON nested more than ${maxJsonDepth} levels deep`,
			`remove the deeply nested value there, or start over: ${exampleHint}`,
		);
	}

	const result = parseJsonLossless(body);
	if (!result.ok) {
		const {problem} = result;
		throw new SettingsError(
			'settings-syntax',
			`${file}:${problem.line}:${problem.column}: invalid JSON: ${formatJsonSyntaxProblem(problem)}`,
			`fix the JSON there (python -m json.tool ${path.basename(file)} shows the same), or start over: ${exampleHint}`,
		);
	}

	const parsed = result.value;

	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new SettingsError(
			'settings-invalid',
			`${file}: expected a JSON object at the top level, received ${describeValue(parsed)}`,
			exampleHint,
		);
	}

	return parsed as Record<string, unknown>;
}

/** `"32" (string)`, `3.5 (number)`, `null`: what a value looked like, for error messages. */
export function describeValue(value: unknown): string {
	if (value === null) {
		return 'null';
	}

	if (Array.isArray(value)) {
		return 'an array';
	}

	if (typeof value === 'object') {
		return 'an object';
	}

	const shown = JSON.stringify(value) ?? typeof value;
	const clipped = shown.length > 40 ? `${shown.slice(0, 37)}...` : shown;
	return `${clipped} (${typeof value})`;
}

function valueAtPath(root: unknown, keys: PropertyKey[]): unknown {
	let current = root;
	for (const key of keys) {
		if (typeof current !== 'object' || current === null) {
			return undefined;
		}

		current = (current as Record<PropertyKey, unknown>)[key];
	}

	return current;
}

function describeExpected(issue: z.core.$ZodIssue): string {
	switch (issue.code) {
		case 'invalid_type': {
			return issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`;
		}

		case 'invalid_value': {
			return `one of ${issue.values.map(value => JSON.stringify(value)).join(', ')}`;
		}

		case 'too_small': {
			return `${issue.origin === 'string' ? 'a string of length' : 'a value'} >= ${String(issue.minimum)}`;
		}

		case 'too_big': {
			return `${issue.origin === 'string' ? 'a string of length' : 'a value'} <= ${String(issue.maximum)}`;
		}

		case 'invalid_format': {
			return `a valid ${issue.format}`;
		}

		default: {
			return issue.message;
		}
	}
}

/** Validates parsed settings; the first problem becomes one line with path, expected and received. */
export function validateSettings(file: string, raw: Record<string, unknown>): Settings {
	const result = settingsSchema.safeParse(raw);
	if (result.success) {
		return result.data;
	}

	const issue = result.error.issues[0]!;
	const jsonPath = issue.path.map(String).join('.');
	const received = describeValue(valueAtPath(raw, issue.path));
	const more = result.error.issues.length > 1 ? ` (+${result.error.issues.length - 1} more)` : '';
	throw new SettingsError(
		'settings-invalid',
		`${file}: ${jsonPath}: expected ${describeExpected(issue)}, received ${received}${more}`,
		`correct ${jsonPath} (see the README's settings table), or start over: ${exampleHint}`,
		result.error,
	);
}

export function loadSettings(file: string): LoadedSettings {
	const raw = parseSettingsJson(file, readSettingsText(file));
	return {file, raw, settings: validateSettings(file, raw)};
}
