/** The guide's log line format: `YYYY-MM-DD HH:MM:SS - LEVEL - message` (Python logging's default). */

export const logLevels = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevel = (typeof logLevels)[number];

export type LogEntry = {
	/** Local wall-clock time as written, `YYYY-MM-DD HH:MM:SS`. */
	time: string;
	level: LogLevel;
	message: string;
};

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `2025-07-06 01:00:00` in local time, as Python's asctime writes it (without milliseconds). */
export function formatLogTime(date: Date): string {
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `20250706_010000`, the stamp in `logs/qwen3_migration_YYYYMMDD_HHMMSS.log`. */
export function formatFileStamp(date: Date): string {
	return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}_${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** One entry per line: newlines inside a message become a visible `⏎` so grep still sees one line. */
export function formatLogLine(entry: LogEntry): string {
	const message = entry.message.replaceAll(/\r?\n/g, ' ⏎ ');
	return `${entry.time} - ${entry.level} - ${message}`;
}

const linePattern = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:,\d{3})? - (DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL) - (.*)$/;

/** Parses one line; undefined for anything that is not a log line (a traceback, a partial write). */
export function parseLogLine(line: string): LogEntry | undefined {
	const match = linePattern.exec(line.replace(/\r$/, ''));
	if (!match) {
		return undefined;
	}

	const level = match[2] === 'WARN' ? 'WARNING' : (match[2] as LogLevel);
	return {time: match[1]!, level, message: match[3]!};
}

/**
 * Parses a whole log text. A last line without its newline may still be being written: it is
 * left out unless `includePartial` is set (a finished file).
 */
export function parseLogText(text: string, options: {includePartial?: boolean} = {}): LogEntry[] {
	const lines = text.split('\n');
	const last = lines.pop();
	if (options.includePartial && last) {
		lines.push(last);
	}

	const entries: LogEntry[] = [];
	for (const line of lines) {
		const entry = parseLogLine(line);
		if (entry) {
			entries.push(entry);
		}
	}

	return entries;
}

/** Splits a stream of chunks into complete lines, holding a partial last line until it ends. */
export class LineSplitter {
	private pending = '';

	push(chunk: string): string[] {
		const text = this.pending + chunk;
		const lines = text.split('\n');
		this.pending = lines.pop() ?? '';
		return lines;
	}
}
