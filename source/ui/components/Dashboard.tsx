/** The whole frame, a pure function of the state, the terminal size and the theme. */
import {Box, Text} from 'ink';
import {computeLayout, minimumSize} from '../layout.js';
import {activeProblems} from '../problems.js';
import type {DashboardState} from '../state.js';
import {LogPanel} from './LogPanel.js';
import {OverlayView} from './Overlays.js';
import {Line} from './Panel.js';
import {ProgressPanel} from './ProgressPanel.js';
import {ResourcesPanel} from './ResourcesPanel.js';
import type {Theme} from './theme.js';
import {TroublePanel} from './TroublePanel.js';

export function Dashboard({state, columns, rows, theme, workspace}: {state: DashboardState; columns: number; rows: number; theme: Theme; workspace: string}) {
	const t = theme.strings;
	const layout = computeLayout(columns, rows);
	if (layout.kind === 'too-small') {
		return (
			<Box flexDirection="column" width={columns}>
				<Text wrap="truncate-end">{`${t.tooSmall} (need ${minimumSize.columns}×${minimumSize.rows}, have ${columns}×${rows})`}</Text>
				<Text wrap="truncate-end">q: quit  ?: help</Text>
			</Box>
		);
	}

	const problems = activeProblems(state);
	const header = (
		<Line theme={theme} bold>
			{`${t.title} · ${workspace}`}
		</Line>
	);
	const footer = (
		<Line theme={theme} dim>
			{state.readOnly ? `${t.readOnly} · q quit · ? help` : 'p pause · b batch/2 · c CPU · r retry · v verify · R rollback · q quit · ? help'}
		</Line>
	);
	if (state.overlay.kind !== 'none') {
		return (
			<Box flexDirection="column" width={layout.width} height={layout.height}>
				{header}
				<OverlayView overlay={state.overlay} width={layout.width} height={layout.height - 2} theme={theme} readOnly={state.readOnly} />
			</Box>
		);
	}

	if (layout.kind === 'wide') {
		return (
			<Box flexDirection="column" width={layout.width} height={layout.height}>
				{header}
				<Box>
					<ProgressPanel state={state} width={layout.leftWidth} lines={layout.progressLines} theme={theme} />
					<ResourcesPanel state={state} width={layout.rightWidth} lines={layout.resourcesLines} theme={theme} />
				</Box>
				<Box>
					<LogPanel state={state} width={layout.leftWidth} lines={layout.logLines} theme={theme} />
					<TroublePanel problems={problems} width={layout.rightWidth} lines={layout.troubleLines} theme={theme} readOnly={state.readOnly} />
				</Box>
				{footer}
			</Box>
		);
	}

	return (
		<Box flexDirection="column" width={layout.width} height={layout.height}>
			{header}
			<ProgressPanel state={state} width={layout.width} lines={layout.progressLines} theme={theme} />
			<ResourcesPanel state={state} width={layout.width} lines={layout.resourcesLines} theme={theme} />
			<TroublePanel problems={problems} width={layout.width} lines={layout.troubleLines} theme={theme} readOnly={state.readOnly} />
			<LogPanel state={state} width={layout.width} lines={layout.logLines} theme={theme} />
			{footer}
		</Box>
	);
}
