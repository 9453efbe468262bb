/**
 * Appends guide-format lines to logs/qwen3_migration_YYYYMMDD_HHMMSS.log and tells listeners.
 * A line that cannot be written (a full disk) never throws into the caller, which may be in the
 * middle of a commit: the file is closed, later lines go to listeners only, and the owner hears
 * of the failure once (`onWriteFailure`) and decides how to stop.
 */
import {closeSync, mkdirSync, openSync, writeSync} from 'node:fs';
import path from 'node:path';
import {formatFileStamp, formatLogLine, formatLogTime, type LogEntry, type LogLevel} from './format.js';

export type Clock = () => Date;

export type LogListener = (entry: LogEntry) => void;

export type WriteFailureListener = (error: unknown) => void;

export class MigrationLogger {
	readonly file: string;
	private descriptor: number | undefined;
	private readonly listeners = new Set<LogListener>();
	private readonly failureListeners = new Set<WriteFailureListener>();
	/** The error that stopped writes to the file, if one did. */
	writeFailure: unknown;

	/** Opens a new log file in `logsDir`, named by the clock's current time; `beforeWrite` is the ENOSPC fault seam. */
	constructor(
		logsDir: string,
		private readonly clock: Clock = () => new Date(),
		private readonly beforeWrite: () => void = () => undefined,
	) {
		mkdirSync(logsDir, {recursive: true});
		this.file = path.join(logsDir, `qwen3_migration_${formatFileStamp(this.clock())}.log`);
		this.descriptor = openSync(this.file, 'a');
	}

	onWriteFailure(listener: WriteFailureListener): void {
		this.failureListeners.add(listener);
	}

	onEntry(listener: LogListener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	log(level: LogLevel, message: string): LogEntry {
		const entry: LogEntry = {time: formatLogTime(this.clock()), level, message};
		if (this.descriptor !== undefined) {
			this.write(`${formatLogLine(entry)}\n`);
		}

		for (const listener of this.listeners) {
			try {
				listener(entry);
			} catch {
				// A listener's failure must not stop the migration or its log.
			}
		}

		return entry;
	}

	private write(line: string): void {
		try {
			this.beforeWrite();
			writeSync(this.descriptor!, line);
		} catch (error) {
			this.writeFailure = error;
			this.close();
			for (const listener of this.failureListeners) {
				listener(error);
			}
		}
	}

	info(message: string): LogEntry {
		return this.log('INFO', message);
	}

	warning(message: string): LogEntry {
		return this.log('WARNING', message);
	}

	error(message: string): LogEntry {
		return this.log('ERROR', message);
	}

	close(): void {
		if (this.descriptor !== undefined) {
			const descriptor = this.descriptor;
			this.descriptor = undefined;
			try {
				closeSync(descriptor);
			} catch {
				// Closing after a failed write can fail the same way; the file is given up either way.
			}
		}
	}
}
