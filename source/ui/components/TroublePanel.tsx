/** The current problem from the guide's catalogue: diagnosis, and the keys that fix it. */
import {keymap} from '../keymap.js';
import type {ActiveProblem} from '../problems.js';
import {Line, Panel} from './Panel.js';
import type {Theme} from './theme.js';

export function TroublePanel({problems, width, lines, theme, readOnly}: {problems: ActiveProblem[]; width: number; lines: number; theme: Theme; readOnly: boolean}) {
	const t = theme.strings;
	const current = problems[0];
	if (!current) {
		return (
			<Panel title={t.troubleshooting} width={width} lines={lines} theme={theme}>
				<Line theme={theme} color="green">
					{`OK  ${t.noProblems}`}
				</Line>
			</Panel>
		);
	}

	const {problem, detail} = current;
	const language = theme.language;
	const keys = problem.keys
		.map(key => keymap.find(binding => binding.key === key))
		.filter(binding => binding && !(readOnly && binding.acts))
		.map(binding => `[${binding!.key}] ${binding!.label[language]}`)
		.join('  ');
	const rows = [
		<Line key="title" theme={theme} color={problem.severity === 'error' ? 'red' : 'yellow'} bold>
			{`${problem.severity === 'error' ? 'ERR' : 'WARN'} ${problem.title[language]} — ${detail}`}
		</Line>,
		<Line key="diagnosis" theme={theme}>{problem.diagnosis[language]}</Line>,
		<Line key="keys" theme={theme} color="cyan">
			{keys.length > 0 ? `${t.fix}: ${keys}` : `${t.fix}: ${problem.command}`}
		</Line>,
		<Line key="command" theme={theme} dim>
			{`$ ${problem.command}`}
		</Line>,
		...problems.slice(1, 4).map(other => (
			<Line key={other.problem.id} theme={theme} dim>
				{`+ ${other.problem.title[language]}: ${other.detail}`}
			</Line>
		)),
	];
	return (
		<Panel title={`${t.troubleshooting} (${problems.length})`} width={width} lines={lines} theme={theme}>
			{rows.slice(0, lines)}
		</Panel>
	);
}
