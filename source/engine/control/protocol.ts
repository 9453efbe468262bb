/**
 * The run's local control channel: newline-delimited JSON over a Unix socket in the workspace's
 * state directory. The process that owns a run serves it; dashboards (and the headless CLI) attach
 * as clients. Versioned: a client refuses a server whose major version it does not speak.
 */
import path from 'node:path';
import type {Device} from '../types.js';
import type {MigrationEventMap, MigrationEventName, Phase} from '../migration/events.js';

export const protocolVersion = 1;

/** The socket sits beside the migration lock (data/memory/qwen3-migrate/control.sock). */
export function controlSocketPath(lockFile: string): string {
	return path.join(path.dirname(lockFile), 'control.sock');
}

/** What a client needs to draw the run as its owner sees it, sent on attach and every second. */
export type RunSnapshot = {
	phase: Phase | undefined;
	paused: boolean;
	aborting: boolean;
	batchSize: number;
	tokenBudget: number;
	device: Device;
	/** When the owner's run started (ms since the epoch): the run's elapsed time, not the watcher's. */
	startedAt: number | undefined;
	/** Channel indexes built / to build in the latest index phase (verify shows them too); undefined before the first. */
	channels?: {built: number; total: number};
	/** The owning process's resident memory. */
	rssBytes: number;
	pid: number;
};

export type ControlCommand =
	| {command: 'pause'}
	| {command: 'resume'}
	| {command: 'batch'; size: number}
	| {command: 'cpu'}
	| {command: 'retry'}
	| {command: 'stop'}
	| {command: 'rollback-request'};

/** Events as they travel: an Error becomes its message (and exit code) so JSON can carry it. */
export type WireEvent = {[Name in MigrationEventName]: {name: Name; payload: Name extends 'run:error' ? {error: {message: string; exitCode?: number}; phase: Phase} : MigrationEventMap[Name]}}[MigrationEventName];

export type ServerMessage =
	| {type: 'hello'; version: number; pid: number}
	| {type: 'snapshot'; snapshot: RunSnapshot}
	| {type: 'event'; event: WireEvent}
	| {type: 'ack'; id: number}
	| {type: 'error'; id?: number; message: string};

export type ClientMessage = {type: 'hello'; version: number; readOnly: boolean} | ({type: 'command'; id: number} & ControlCommand);

export function encode(message: ServerMessage | ClientMessage): string {
	return `${JSON.stringify(message)}\n`;
}

/** Splits a stream of chunks into parsed lines; a malformed line is reported, not thrown. */
export function lineReader<T>(onMessage: (message: T) => void, onBadLine: (line: string) => void): (chunk: Buffer | string) => void {
	let buffered = '';
	return chunk => {
		buffered += chunk.toString();
		let newline = buffered.indexOf('\n');
		while (newline >= 0) {
			const line = buffered.slice(0, newline);
			buffered = buffered.slice(newline + 1);
			if (line.trim() !== '') {
				try {
					onMessage(JSON.parse(line) as T);
				} catch {
					onBadLine(line);
				}
			}

			newline = buffered.indexOf('\n');
		}
	};
}
