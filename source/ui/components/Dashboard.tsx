/** The whole frame, a pure function of the state, the terminal size and the theme. */
import {Box} from 'ink';
import {footerBindings} from '../keymap.js';
import {computeLayout, minimumSize, type Layout} from '../layout.js';
import {activeProblems, type ActiveProblem} from '../problems.js';
import type {DashboardState} from '../state.js';
import {LogWithEndpoints} from './EndpointRows.js';
import {OverlayView} from './Overlays.js';
import {Line} from './Panel.js';
import {ProgressPanel} from './ProgressPanel.js';
import {ResourcesPanel} from './ResourcesPanel.js';
import type {Theme} from './theme.js';
import {TroublePanel} from './TroublePanel.js';

/** The footer: the keys that can act now, from the keymap (so it never offers a dead key). */
export function footerText(state: DashboardState, theme: Theme): string {
	const keys = footerBindings(state)
		.map(binding => `${binding.key} ${binding.short[theme.language]}`)
		.join(' · ');
	return state.readOnly ? `${theme.strings.readOnly} · ${keys}` : keys;
}

/** Below the minimum size: the notice, and the keys that still work (q, ?, Ctrl+C). */
function TooSmall({state, columns, rows, theme}: {state: DashboardState; columns: number; rows: number; theme: Theme}) {
	const t = theme.strings;
	if (state.overlay.kind !== 'none') {
		return (
			<Box flexDirection="column" width={columns} height={Math.max(1, rows - 1)} overflow="hidden">
				<OverlayView overlay={state.overlay} history={state.history} width={columns} height={Math.max(3, rows - 1)} theme={theme} readOnly={state.readOnly} />
			</Box>
		);
	}

	return (
		<Box flexDirection="column" width={columns}>
			<Line theme={theme}>{`${t.tooSmall} (${t.need} ${minimumSize.columns}×${minimumSize.rows}, ${t.have} ${columns}×${rows})`}</Line>
			<Line theme={theme}>{t.quitHint}</Line>
			{state.notice ? <Line theme={theme}>{state.notice.text}</Line> : undefined}
		</Box>
	);
}

export function Dashboard({state, columns, rows, theme, workspace}: {state: DashboardState; columns: number; rows: number; theme: Theme; workspace: string}) {
	const t = theme.strings;
	const layout = computeLayout(columns, rows);
	if (layout.kind === 'too-small') {
		return <TooSmall state={state} columns={columns} rows={rows} theme={theme} />;
	}

	const problems = activeProblems(state, t);
	const header = (
		<Line theme={theme} bold>
			{`${t.title} · ${workspace}`}
		</Line>
	);
	const footer = (
		<Line theme={theme} dim>
			{footerText(state, theme)}
		</Line>
	);
	if (state.overlay.kind !== 'none') {
		return (
			<Box flexDirection="column" width={layout.width} height={layout.height}>
				{header}
				<OverlayView overlay={state.overlay} history={state.history} width={layout.width} height={layout.height - 2} theme={theme} readOnly={state.readOnly} />
			</Box>
		);
	}

	return (
		<Box flexDirection="column" width={layout.width} height={layout.height}>
			{header}
			<Panels state={state} layout={layout} problems={problems} theme={theme} />
			{footer}
		</Box>
	);
}

/** Side by side from 100 columns, stacked below; a problem at open takes the log's room too. */
function Panels({state, layout, problems, theme}: {state: DashboardState; layout: Exclude<Layout, {kind: 'too-small'}>; problems: ActiveProblem[]; theme: Theme}) {
	if (layout.kind === 'wide') {
		return (
			<>
				<Box>
					<ProgressPanel state={state} width={layout.leftWidth} lines={layout.progressLines} theme={theme} />
					<ResourcesPanel state={state} width={layout.rightWidth} lines={layout.resourcesLines} theme={theme} />
				</Box>
				<Box>
					<LogWithEndpoints state={state} width={layout.leftWidth} lines={layout.logLines} theme={theme} />
					<TroublePanel state={state} problems={problems} width={layout.rightWidth} lines={layout.troubleLines} theme={theme} />
				</Box>
			</>
		);
	}

	return (
		<>
			<ProgressPanel state={state} width={layout.width} lines={layout.progressLines} theme={theme} />
			<ResourcesPanel state={state} width={layout.width} lines={layout.resourcesLines} theme={theme} />
			{state.fatal ? (
				<TroublePanel state={state} problems={problems} width={layout.width} lines={layout.troubleLines + layout.logLines + 2} theme={theme} />
			) : (
				<>
					<TroublePanel state={state} problems={problems} width={layout.width} lines={layout.troubleLines} theme={theme} />
					<LogWithEndpoints state={state} width={layout.width} lines={layout.logLines} theme={theme} />
				</>
			)}
		</>
	);
}
