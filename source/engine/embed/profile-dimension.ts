/**
 * The bot reads vectors of its active profile's dimension: both Qwen3 profiles are fixed at 1024.
 * A Matryoshka-truncated output (migration.output_dimension below 1024) would be written fine and
 * then make every search the bot runs afterwards fail, so it is refused before anything is written
 * unless the user says explicitly that they will change the bot's profile too.
 */
import {SettingsError} from '../errors.js';

/** The vector dimension each of the bot's profiles reads (undefined: vectors off). */
export const botProfileDimensions: Readonly<Record<string, number | undefined>> = {
	qwen3_high_performance: 1024,
	qwen3_medium_performance: 1024,
	high_performance: 768,
	medium_performance: 384,
	low_performance: undefined,
};

export type DimensionDecision =
	| {ok: true; warning?: string}
	| {ok: false; error: SettingsError};

/**
 * Decides whether migration.output_dimension may be used with the profile the cut-over switches
 * to. `allowMismatch` is the explicit override (a flag); it turns the refusal into a warning that
 * the cut-over must show.
 */
export function checkOutputDimension(outputDimension: number | null | undefined, profile: string, allowMismatch = false): DimensionDecision {
	const expected = botProfileDimensions[profile];
	if (outputDimension === null || outputDimension === undefined || expected === undefined || outputDimension === expected) {
		return {ok: true};
	}

	const problem = `memory_system.migration.output_dimension ${outputDimension}: the bot's profile ${profile} reads ${expected}-d vectors, so every search it makes after the cut-over would fail`;
	if (allowMismatch) {
		return {ok: true, warning: `${problem}; change the bot's ${profile} profile to ${outputDimension} dimensions before restarting it`};
	}

	return {
		ok: false,
		error: new SettingsError('settings-invalid', problem, `remove migration.output_dimension (or set it to ${expected}); to keep ${outputDimension} anyway, pass --allow-dimension-mismatch and change the bot's profile too`),
	};
}
