/**
 * Follows the newest logs/qwen3_migration_*.log: reads what was appended since the last poll,
 * holds a partial last line until it is complete, and moves on when a newer log file appears.
 */
import {closeSync, existsSync, openSync, readdirSync, readSync, statSync} from 'node:fs';
import path from 'node:path';
import {StringDecoder} from 'node:string_decoder';
import {LineSplitter, parseLogLine, type LogEntry} from './format.js';

const logNamePattern = /^qwen3_migration_\d{8}_\d{6}\.log$/;

export function newestLogFile(logsDir: string): string | undefined {
	if (!existsSync(logsDir)) {
		return undefined;
	}

	const names = readdirSync(logsDir).filter(name => logNamePattern.test(name)).sort();
	return names.length > 0 ? path.join(logsDir, names.at(-1)!) : undefined;
}

export class LogFollower {
	private file: string | undefined;
	private offset = 0;
	private splitter = new LineSplitter();
	// Reads may end inside a multi-byte character; the decoder keeps the partial bytes.
	private decoder = new StringDecoder('utf8');

	/** `fromStart`: replay the current file's existing lines on the first poll. */
	constructor(
		private readonly logsDir: string,
		private readonly fromStart = true,
	) {}

	get currentFile(): string | undefined {
		return this.file;
	}

	/** New complete entries since the last poll (empty when nothing changed). */
	poll(): {entries: LogEntry[]; switchedTo?: string} {
		const newest = newestLogFile(this.logsDir);
		let switchedTo: string | undefined;
		if (newest && newest !== this.file) {
			const first = this.file === undefined;
			this.file = newest;
			this.offset = first && !this.fromStart ? statSync(newest).size : 0;
			this.splitter = new LineSplitter();
			this.decoder = new StringDecoder('utf8');
			switchedTo = newest;
		}

		if (!this.file) {
			return {entries: []};
		}

		const size = statSync(this.file).size;
		if (size < this.offset) {
			// Truncated or replaced: start over.
			this.offset = 0;
			this.splitter = new LineSplitter();
			this.decoder = new StringDecoder('utf8');
		}

		if (size === this.offset) {
			return {entries: [], switchedTo};
		}

		const length = Math.min(size - this.offset, 4 * 1024 * 1024);
		const buffer = Buffer.alloc(length);
		const descriptor = openSync(this.file, 'r');
		try {
			readSync(descriptor, buffer, 0, length, this.offset);
		} finally {
			closeSync(descriptor);
		}

		this.offset += length;
		const entries = this.splitter
			.push(this.decoder.write(buffer))
			.map(line => parseLogLine(line))
			.filter((entry): entry is LogEntry => entry !== undefined);
		return {entries, switchedTo};
	}
}
