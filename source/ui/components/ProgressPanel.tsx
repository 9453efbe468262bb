/** Phase, bar, done/total, rate, ETA, batch size, device, failures, elapsed, throughput sparkline. */
import {etaOf, formatDuration, percentOf, rateOf} from '../../engine/util/rate.js';
import {gauge, sparkline} from '../format.js';
import type {DashboardState} from '../state.js';
import {Line, Panel} from './Panel.js';
import type {Theme} from './theme.js';

export function ProgressPanel({state, width, lines, theme}: {state: DashboardState; width: number; lines: number; theme: Theme}) {
	const t = theme.strings;
	const percent = percentOf(state.done, state.total);
	const rate = rateOf(state.rateSamples);
	const eta = state.mode === 'running' ? etaOf(rate, state.total - state.done - state.failed) : undefined;
	const elapsed = state.startedAt === undefined ? undefined : ((state.finishedAt ?? state.now) - state.startedAt) / 1000;
	const inner = width - 2;
	const percentText = `${percent.toFixed(1)}%`;
	const barWidth = Math.max(10, inner - percentText.length - 1);
	const modeColor = state.mode === 'failed' ? 'red' : state.mode === 'done' ? 'green' : state.mode === 'paused' ? 'yellow' : 'cyan';
	const rows = [
		<Line key="phase" theme={theme}>
			<Line theme={theme} color={modeColor} bold>
				{t.modes[state.mode]}
			</Line>
			{`  ${t.phase}: ${state.phase ?? '—'}${state.readOnly ? `  (${t.readOnly})` : ''}`}
		</Line>,
		<Line key="bar" theme={theme} color="green">
			{`${gauge(percent, barWidth, theme.unicode)} ${percentText}`}
		</Line>,
		<Line key="counts" theme={theme}>
			{`${state.done}/${state.total}  ${t.rate}: ${rate === undefined ? '—' : `${rate.toFixed(rate < 10 ? 1 : 0)}/s`}  ${t.eta}: ${formatDuration(eta)}`}
		</Line>,
		<Line key="batch" theme={theme}>
			{`${t.batch}: ${state.batchSize}  ${t.device}: ${state.device}  ${t.failed}: ${state.failed}  ${t.elapsed}: ${formatDuration(elapsed)}`}
		</Line>,
		<Line key="spark" theme={theme} color="cyan">
			{sparkline(state.throughput, Math.max(10, inner), theme.unicode)}
		</Line>,
		<Line key="blank" theme={theme} dim>
			{`${t.blank}: ${state.blank}  ${t.truncated}: ${state.truncated}`}
		</Line>,
		<Line key="notice" theme={theme} color="yellow">
			{state.notice?.text ?? (state.mode === 'idle' ? t.idle : state.mode === 'done' ? t.doneHint : '')}
		</Line>,
	];
	// Small terminals keep the most important rows: mode, bar, counts, batch, then the rest.
	const order = lines >= 7 ? [0, 1, 2, 3, 4, 5, 6] : lines >= 5 ? [0, 1, 2, 3, 6] : [1, 2, 3, 0];
	return (
		<Panel title={t.progress} width={width} lines={lines} theme={theme}>
			{order.slice(0, lines).map(index => rows[index])}
		</Panel>
	);
}
