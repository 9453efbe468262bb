/** A row per embedding endpoint (remote runs): state, requests in flight, rate, errors, latency. */
import {endpointRowText, endpointSummaryText, endpointWords, shortUrl, type EndpointRow} from '../endpoint-rows.js';
import {Box} from 'ink';
import {fit} from '../format.js';
import type {DashboardState} from '../state.js';
import {LogPanel} from './LogPanel.js';
import {Line, Panel} from './Panel.js';
import type {Theme} from './theme.js';

const stateColor = {working: 'green', retrying: 'yellow', 'taken-out': 'red'} as const;

/**
 * Lines the endpoint panel takes from a log panel of `logLines`: a row per endpoint, or one summary
 * line when they do not fit, or none (a local run, or under 4 log lines: the log keeps at least one
 * line and the panel's border costs two).
 */
export function endpointPanelLines(rows: readonly EndpointRow[], logLines: number): number {
	const room = logLines - 3;
	if (rows.length === 0 || room < 1) {
		return 0;
	}

	return rows.length <= room ? rows.length : 1;
}

export function EndpointRows({rows, width, lines, theme}: {rows: readonly EndpointRow[]; width: number; lines: number; theme: Theme}) {
	const urlWidth = Math.min(24, Math.max(...rows.map(row => shortUrl(row.url).length)));
	const title = `${endpointWords(theme.language).title} (${rows.length})`;
	if (lines < rows.length) {
		// Too little room for a row each: one line for all of them (the states and the total rate).
		const worst = rows.some(row => row.state === 'taken-out') ? 'taken-out' : rows.some(row => row.state === 'retrying') ? 'retrying' : 'working';
		return (
			<Panel title={title} width={width} lines={1} theme={theme}>
				<Line theme={theme} color={stateColor[worst]}>
					{endpointSummaryText(rows, theme.language)}
				</Line>
			</Panel>
		);
	}

	return (
		<Panel title={title} width={width} lines={lines} theme={theme}>
			{rows.map(row => (
				<Line key={row.url} theme={theme} color={stateColor[row.state]}>
					{`${fit(shortUrl(row.url), urlWidth).padEnd(urlWidth)}  ${endpointRowText(row, theme.language)}`}
				</Line>
			))}
		</Panel>
	);
}

/** The log panel, with the endpoint rows above it when the run embeds through servers (they share its room). */
export function LogWithEndpoints({state, width, lines, theme}: {state: DashboardState; width: number; lines: number; theme: Theme}) {
	const endpointLines = endpointPanelLines(state.endpoints, lines);
	if (endpointLines === 0) {
		return <LogPanel state={state} width={width} lines={lines} theme={theme} />;
	}

	return (
		<Box flexDirection="column">
			<EndpointRows rows={state.endpoints} width={width} lines={endpointLines} theme={theme} />
			<LogPanel state={state} width={width} lines={lines - endpointLines - 2} theme={theme} />
		</Box>
	);
}
