/** Phase, bar, done/total, rate, ETA, batch size, device, failures, elapsed, throughput sparkline. */
import {formatDuration} from '../../engine/util/rate.js';
import {gauge, sparkline} from '../format.js';
import {fill} from '../i18n.js';
import {averageRate, barReading, currentRate, stableEta} from '../metrics.js';
import type {DashboardState} from '../state.js';
import {DownloadRow} from './DownloadRow.js';
import {Line, Panel, Span} from './Panel.js';
import type {Theme} from './theme.js';

const formatRate = (rate: number | undefined) => (rate === undefined ? '—' : `${rate.toFixed(rate < 10 ? 1 : 0)}/s`);

/** The rate part of the counts line: the window's rate while running, the run's average when done. */
function rateText(state: DashboardState, theme: Theme): string {
	const t = theme.strings;
	if (state.mode === 'done' || state.mode === 'aborted') {
		return `${t.rate} (${t.average}): ${formatRate(averageRate(state))}`;
	}

	if (state.phase === 'index' || state.phase === 'verify') {
		return t.channels;
	}

	return `${t.rate}: ${formatRate(currentRate(state))}  ${t.eta}: ${formatDuration(stableEta(state))}`;
}

function statusText(state: DashboardState, theme: Theme): string {
	const t = theme.strings;
	if (state.notice) {
		return state.notice.label ? `${t[state.notice.label]} ${state.notice.text}` : state.notice.text;
	}

	if (state.pendingBatch) {
		return fill(t.batchPending, state.pendingBatch);
	}

	if (state.runnerGone && state.mode === 'aborted') {
		return t.runnerGone;
	}

	return state.mode === 'idle' ? t.idle : state.mode === 'done' ? (state.logIncomplete ?? t.doneHint) : '';
}

export function ProgressPanel({state, width, lines, theme}: {state: DashboardState; width: number; lines: number; theme: Theme}) {
	const t = theme.strings;
	const bar = barReading(state);
	const elapsed = state.startedAt === undefined ? undefined : ((state.finishedAt ?? state.now) - state.startedAt) / 1000;
	const inner = width - 2;
	const percentText = bar.percent === undefined ? '—' : `${bar.percent.toFixed(1)}%`;
	const barWidth = Math.max(10, inner - percentText.length - 1);
	const modeColor = state.mode === 'failed' ? 'red' : state.mode === 'done' ? 'green' : state.mode === 'paused' ? 'yellow' : 'cyan';
	const batch = state.pendingBatch ? `${state.pendingBatch.from} → ${state.pendingBatch.to} (${t.pending.split(':')[0]})` : String(state.batchSize);
	const rows = [
		<Line key="phase" theme={theme}>
			<Span theme={theme} color={modeColor} bold>
				{t.modes[state.mode]}
			</Span>
			{`  ${t.phase}: ${state.phase ?? '—'}${state.readOnly ? `  (${t.readOnly})` : ''}`}
		</Line>,
		state.download ? (
			<DownloadRow key="bar" progress={state.download} width={inner} theme={theme} />
		) : (
			<Line key="bar" theme={theme} color="green">
				{`${gauge(bar.percent ?? 0, barWidth, theme.unicode)} ${percentText}`}
			</Line>
		),
		<Line key="counts" theme={theme}>
			{`${bar.counts}  ${rateText(state, theme)}`}
		</Line>,
		<Line key="batch" theme={theme}>
			{`${t.batch}: ${batch}  ${t.device}: ${state.device}  ${t.failed}: ${state.failed}  ${t.elapsed}: ${formatDuration(elapsed)}`}
		</Line>,
		<Line key="spark" theme={theme} color="cyan">
			{sparkline(state.throughput, Math.max(10, inner), theme.unicode)}
		</Line>,
		<Line key="blank" theme={theme} dim>
			{`${t.blank}: ${state.blank}  ${t.truncated}: ${state.truncated}`}
		</Line>,
		<Line key="notice" theme={theme} color="yellow">
			{statusText(state, theme)}
		</Line>,
	];
	// Small terminals keep the most important rows: state, bar, counts, batch, the status line.
	const order = lines >= 7 ? [0, 1, 2, 3, 4, 5, 6] : lines >= 5 ? [0, 1, 2, 3, 6] : [0, 1, 2, 3];
	return (
		<Panel title={t.progress} width={width} lines={lines} theme={theme}>
			{order.slice(0, lines).map(index => rows[index])}
		</Panel>
	);
}
