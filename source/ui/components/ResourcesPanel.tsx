/** CPU, RAM, this process's RSS and its growth, GPU, free disk. */
import {leakThresholdBytes} from '../../engine/monitor/resources.js';
import {formatMegabytes, gauge} from '../format.js';
import type {DashboardState} from '../state.js';
import {Line, Panel} from './Panel.js';
import type {Theme} from './theme.js';

export function ResourcesPanel({state, width, lines, theme}: {state: DashboardState; width: number; lines: number; theme: Theme}) {
	const t = theme.strings;
	const reading = state.resources;
	const gaugeWidth = 12;
	const cpu = reading?.cpuPercent;
	const ramPercent = reading ? (reading.memoryUsedBytes / reading.memoryTotalBytes) * 100 : undefined;
	// Attached to another process's run: its RSS, not this dashboard's.
	const rss = state.ownerRss?.bytes ?? reading?.rssBytes;
	const growth = state.ownerRss ? state.ownerRss.bytes - state.ownerRss.baseline : reading && state.rssBaseline !== undefined ? reading.rssBytes - state.rssBaseline : undefined;
	const leaking = growth !== undefined && growth > leakThresholdBytes;
	const cpuText = `${t.cpu} ${gauge(cpu ?? 0, gaugeWidth, theme.unicode)} ${cpu === undefined ? '—' : `${cpu.toFixed(0)}%`}`;
	const ramText = `${t.ram} ${gauge(ramPercent ?? 0, gaugeWidth, theme.unicode)} ${reading ? `${formatMegabytes(reading.memoryUsedBytes)}/${formatMegabytes(reading.memoryTotalBytes)}` : '—'}`;
	const rssText = `${t.rss} ${formatMegabytes(rss)} (${growth === undefined ? '—' : `${growth >= 0 ? '+' : ''}${formatMegabytes(growth)}`} ${t.trend})${leaking ? ` ${t.warnings}` : ''}`;
	const gpu = reading?.gpu;
	const gpuText = gpu?.available
		? `${t.gpu} ${gauge(gpu.utilizationPercent, gaugeWidth, theme.unicode)} ${gpu.utilizationPercent}%  ${gpu.memoryUsedMb}/${gpu.memoryTotalMb} MiB`
		: `${t.gpuUnavailable} (${gpu?.reason ?? '—'})`;
	const diskText = `${t.disk}: ${formatMegabytes(reading?.diskFreeBytes)}`;
	const rows =
		lines >= 5
			? [
					<Line key="cpu" theme={theme}>{cpuText}</Line>,
					<Line key="ram" theme={theme}>{ramText}</Line>,
					<Line key="rss" theme={theme} color={leaking ? 'yellow' : undefined}>
						{rssText}
					</Line>,
					<Line key="gpu" theme={theme} dim={!gpu?.available}>
						{gpuText}
					</Line>,
					<Line key="disk" theme={theme}>{diskText}</Line>,
				]
			: [
					<Line key="a" theme={theme}>{`${cpuText}  ${ramText}`}</Line>,
					<Line key="b" theme={theme} color={leaking ? 'yellow' : undefined}>
						{`${rssText}  ${gpuText}  ${diskText}`}
					</Line>,
				];
	return (
		<Panel title={t.resources} width={width} lines={lines} theme={theme}>
			{rows.slice(0, lines)}
		</Panel>
	);
}
