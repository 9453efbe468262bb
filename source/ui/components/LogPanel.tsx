/** The newest ERROR and WARNING lines of the run's log, repeats collapsed, with counts. */
import type {DashboardState} from '../state.js';
import {Line, Panel} from './Panel.js';
import type {Theme} from './theme.js';

export function LogPanel({state, width, lines, theme}: {state: DashboardState; width: number; lines: number; theme: Theme}) {
	const t = theme.strings;
	const title = `${t.log} — ${t.errors} ${state.errorCount} · ${t.warnings} ${state.warningCount}`;
	const shown = state.logLines.slice(-lines);
	return (
		<Panel title={title} width={width} lines={lines} theme={theme}>
			{shown.length === 0 ? (
				<Line theme={theme} dim>
					{t.noLogLines}
				</Line>
			) : (
				shown.map((line, index) => (
					<Line key={`${index}-${line.time}`} theme={theme} color={line.level === 'ERROR' ? 'red' : 'yellow'}>
						{`${line.level === 'ERROR' ? t.errors : t.warnings} ${line.time.slice(11)} ${line.message}${line.count > 1 ? ` ×${line.count}` : ''}`}
					</Line>
				))
			)}
		</Panel>
	);
}
