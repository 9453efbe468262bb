/** Text pieces of the dashboard: gauges, sparklines, sizes. Unicode or plain ASCII. */

export function gauge(percent: number, width: number, unicode: boolean): string {
	const clamped = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
	const inner = Math.max(1, width - 2);
	const filled = Math.round((clamped / 100) * inner);
	return unicode ? `${'█'.repeat(filled)}${'░'.repeat(inner - filled)}` : `[${'#'.repeat(filled)}${'-'.repeat(inner - filled)}]`;
}

const unicodeBars = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const asciiBars = ['_', '.', ':', '-', '=', '+', '*', '#'];

export function sparkline(values: readonly number[], width: number, unicode: boolean): string {
	const bars = unicode ? unicodeBars : asciiBars;
	const shown = values.slice(-width);
	const max = Math.max(...shown, 0);
	const line = shown.map(value => (max <= 0 ? bars[0]! : bars[Math.min(bars.length - 1, Math.floor((value / max) * (bars.length - 1)))]!)).join('');
	return line.padStart(Math.min(width, values.length), ' ');
}

export function formatMegabytes(bytes: number | undefined): string {
	if (bytes === undefined || !Number.isFinite(bytes)) {
		return '—';
	}

	const gib = bytes / 2 ** 30;
	return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

const wide = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1FAFF}]/u;

const charWidth = (char: string) => (wide.test(char) ? 2 : 1);

/** Terminal columns a string takes (CJK and emoji count two). */
export function displayWidth(text: string): number {
	let columns = 0;
	for (const char of text) {
		columns += charWidth(char);
	}

	return columns;
}

/** Cuts a string to `width` columns (CJK characters count two), with an ellipsis. */
export function fit(text: string, width: number, ellipsis = '…'): string {
	let columns = 0;
	let result = '';
	for (const char of text) {
		if (columns + charWidth(char) > width) {
			return `${result.slice(0, Math.max(0, result.length - 1))}${ellipsis}`;
		}

		columns += charWidth(char);
		result += char;
	}

	return result;
}

const asciiReplacements: Record<string, string> = {'—': '-', '–': '-', '·': '|', '×': 'x', '→': '->', '←': '<-', '…': '...', '“': '"', '”': '"', '‘': "'", '’': "'", '█': '#', '░': '-'};

/** Outside a UTF-8 locale every character on screen must be ASCII: known symbols get ASCII forms, the rest "?". */
export function toAscii(text: string): string {
	let result = '';
	for (const char of text) {
		result += char <= '\u007E' ? char : (asciiReplacements[char] ?? '?');
	}

	return result;
}

/** Splits text into lines of at most `width` columns, at spaces where it can (CJK anywhere). */
export function wrapText(text: string, width: number): string[] {
	const lines: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(/(?<= )/)) {
			if (displayWidth(line + word.trimEnd()) <= width) {
				line += word;
				continue;
			}

			if (line.trim() !== '') {
				lines.push(line.trimEnd());
				line = '';
			}

			// A word longer than the line (or CJK text without spaces) is cut by columns.
			for (const char of word) {
				if (displayWidth(line + char) > width) {
					lines.push(line.trimEnd());
					line = '';
				}

				line += char;
			}
		}

		lines.push(line.trimEnd());
	}

	return lines;
}
