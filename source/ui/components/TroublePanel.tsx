/**
 * The current problem (the newest unresolved one) from the guide's catalogue: diagnosis, and the
 * keys that fix it now. A key that cannot act in this state is not offered (no "switch to CPU"
 * while on the CPU); a problem found at open shows its message wrapped, with the fix.
 */
import type {ProblemId} from '../../engine/diagnosis/catalogue.js';
import {blockedReason, keymap} from '../keymap.js';
import {wrapText} from '../format.js';
import type {ActiveProblem} from '../problems.js';
import type {DashboardState} from '../state.js';
import {Line, Panel} from './Panel.js';
import type {Theme} from './theme.js';

/** Problems whose fix is a smaller batch: their advice never names a size above the run's own. */
const lowersBatchSize = new Set<ProblemId>(['gpu-oom', 'ram-low', 'stalled']);

/**
 * The command line as it applies now: without the CPU alternative when the run is already on the
 * CPU, and, when the fix is a smaller batch, never a larger `--batch-size` than the run has come
 * down to (the guide's 10 would undo a halving to 4).
 */
export function commandFor(problem: ActiveProblem['problem'], state: DashboardState): string {
	const command = state.device === 'cpu' ? problem.command.replace(/\s*\(?or --device cpu[^)]*\)?/, '') : problem.command;
	if (problem.id === 'slow') {
		// Advice to raise it: never lower, and never back up past what out of memory brought it down to.
		const outOfMemory = state.seen.oom !== undefined || state.history.some(past => past.id === 'gpu-oom');
		return command.replace(/--batch-size (\d+)/, (_whole, size: string) => `--batch-size ${outOfMemory ? state.batchSize : Math.max(state.batchSize, Number(size))}`);
	}

	if (!lowersBatchSize.has(problem.id)) {
		return command;
	}

	return command.replace(/--batch-size (\d+)/, (whole, size: string) => (state.batchSize < Number(size) ? `--batch-size ${state.batchSize}` : whole));
}

function fixKeys(problem: ActiveProblem['problem'], state: DashboardState, theme: Theme): string {
	return problem.keys
		.map(key => keymap.find(binding => binding.key === key))
		.filter(binding => binding !== undefined && blockedReason(binding.command, state) === undefined)
		.map(binding => `[${binding!.key}] ${binding!.label[theme.language]}`)
		.join('  ');
}

export function TroublePanel({state, problems, width, lines, theme}: {state: DashboardState; problems: ActiveProblem[]; width: number; lines: number; theme: Theme}) {
	const t = theme.strings;
	const current = problems[0];
	if (!current) {
		return (
			<Panel title={t.troubleshooting} width={width} lines={lines} theme={theme}>
				<Line theme={theme} color="green">
					{`${t.ok}  ${t.noProblems}`}
				</Line>
			</Panel>
		);
	}

	const {problem, detail} = current;
	const language = theme.language;
	const keys = fixKeys(problem, state, theme);
	const command = commandFor(problem, state);
	const fatal = state.fatal && detail === state.fatal.message ? state.fatal : undefined;
	const title = `${problem.severity === 'error' ? t.errors : t.warnings} ${problem.title[language]}`;
	// A problem at open is the whole story: its message and fix wrap instead of being cut.
	const text = fatal ? [title, ...wrapText(detail, width - 2), ...wrapText(`${t.fix}: ${fatal.hint ?? command}`, width - 2)] : [`${title} — ${detail}`, problem.diagnosis[language]];
	const rows = [
		...text.map((line, index) => (
			<Line key={`text-${index}`} theme={theme} color={index === 0 ? (problem.severity === 'error' ? 'red' : 'yellow') : undefined} bold={index === 0}>
				{line}
			</Line>
		)),
		<Line key="keys" theme={theme} color="cyan">
			{keys.length > 0 ? `${t.fix}: ${keys}` : `${t.fix}: ${command}`}
		</Line>,
		<Line key="command" theme={theme} dim>
			{`$ ${command}`}
		</Line>,
		...problems.slice(1, 4).map(other => (
			<Line key={other.problem.id} theme={theme} dim>
				{`+ ${other.problem.title[language]}: ${other.detail}`}
			</Line>
		)),
	];
	return (
		<Panel title={`${t.troubleshooting} (${problems.length})`} width={width} lines={lines} theme={theme}>
			{(fatal ? rows.slice(0, text.length) : rows).slice(0, lines)}
		</Panel>
	);
}
