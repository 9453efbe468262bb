/**
 * Panel sizes for a terminal size. The frame is never taller than rows − 1 (a frame as tall as the
 * screen makes Ink clear it on every redraw); panels sit side by side from 100 columns, stacked
 * below; under 60×16 only a "too small" notice is shown.
 */

export const minimumSize = {columns: 60, rows: 16};

export type Layout =
	| {kind: 'too-small'; columns: number; rows: number}
	| {
			kind: 'wide' | 'stacked';
			width: number;
			height: number;
			/** Lines inside each panel's border. */
			progressLines: number;
			resourcesLines: number;
			troubleLines: number;
			logLines: number;
			/** Width of the left column (wide) or of every panel (stacked). */
			leftWidth: number;
			rightWidth: number;
	  };

const border = 2;
const header = 1;
const footer = 1;

export function computeLayout(columns: number, rows: number): Layout {
	if (columns < minimumSize.columns || rows < minimumSize.rows) {
		return {kind: 'too-small', columns, rows};
	}

	const height = rows - 1;
	const available = height - header - footer;
	if (columns >= 100) {
		const leftWidth = Math.floor(columns * 0.55);
		const topLines = Math.min(7, available - 2 * border - 3);
		const bottomLines = available - topLines - 2 * border;
		return {
			kind: 'wide',
			width: columns,
			height,
			progressLines: topLines,
			resourcesLines: topLines,
			logLines: bottomLines,
			troubleLines: bottomLines,
			leftWidth,
			rightWidth: columns - leftWidth,
		};
	}

	// Stacked: progress, a compact resources panel and troubleshooting get what they need first;
	// the log tail takes what is left (at least one line).
	const budget = available - 4 * border;
	const progressLines = Math.min(5, budget - 3);
	const resourcesLines = Math.min(2, budget - progressLines - 2);
	const troubleLines = Math.min(3, budget - progressLines - resourcesLines - 1);
	const logLines = budget - progressLines - resourcesLines - troubleLines;
	return {kind: 'stacked', width: columns, height, progressLines, resourcesLines, troubleLines, logLines, leftWidth: columns, rightWidth: columns};
}

/** Total frame height of a layout: what the tests hold to rows − 1. */
export function frameHeight(layout: Layout): number {
	if (layout.kind === 'too-small') {
		return 3;
	}

	return layout.kind === 'wide'
		? header + footer + layout.progressLines + layout.logLines + 2 * border
		: header + footer + layout.progressLines + layout.resourcesLines + layout.troubleLines + layout.logLines + 4 * border;
}
