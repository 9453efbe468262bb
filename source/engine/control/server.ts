/**
 * Serves a run's control channel: every client gets a hello, the run's snapshot (on attach and
 * every second) and its events; clients that are not read-only may steer it. The socket is made
 * with mode 0600 (owner only) and removed when the server closes.
 */
import {chmodSync, existsSync, unlinkSync} from 'node:fs';
import net from 'node:net';
import type {Device} from '../types.js';
import type {RunControl} from '../migration/control.js';
import {clientEventNames as servedEvents, type MigrationEventName, type MigrationEvents, type Phase} from '../migration/events.js';
import {encode, lineReader, protocolVersion, type ClientMessage, type ControlCommand, type RunSnapshot, type ServerMessage, type WireEvent} from './protocol.js';


const snapshotMs = 1000;

export type ControlTarget = {control: RunControl; events: MigrationEvents; onRollbackRequest?: () => void};

type Client = {socket: net.Socket; readOnly: boolean; greeted: boolean};

/** True when a live server answers on `socketPath` (another process owns a run). */
export async function serverAnswers(socketPath: string): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect(socketPath);
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

export class ControlServer {
	private readonly clients = new Set<Client>();
	private readonly unsubscribe: Array<() => void> = [];
	private readonly timer: NodeJS.Timeout;
	private phase: Phase | undefined;
	private device: Device = 'cpu';
	private startedAt: number | undefined;
	private channels: {built: number; total: number} | undefined;

	private constructor(
		private readonly server: net.Server,
		readonly socketPath: string,
		private readonly target: ControlTarget,
	) {
		for (const name of servedEvents) {
			this.unsubscribe.push(target.events.on(name, payload => this.forward(name, payload)));
		}

		this.unsubscribe.push(
			target.events.on('run:start', () => {
				this.startedAt ??= Date.now();
			}),
			target.events.on('run:phase:enter', ({phase}) => {
				this.phase = phase;
				// A new round of indexing counts its channels afresh.
				if (phase === 'index') {
					this.channels = undefined;
				}
			}),
			target.events.on('index:channel:done', ({built, channels}) => {
				this.channels = {built, total: channels};
			}),
			target.events.on('progress', ({phase, device}) => {
				this.phase = phase;
				this.device = device;
			}),
		);
		this.timer = setInterval(() => this.broadcast({type: 'snapshot', snapshot: this.snapshot()}), snapshotMs);
		this.timer.unref();
		server.on('connection', socket => this.accept(socket));
	}

	/** Listens on `socketPath`; a stale socket (no server answers) is replaced, a live one refused. */
	static async listen(socketPath: string, target: ControlTarget): Promise<ControlServer> {
		if (existsSync(socketPath)) {
			if (await serverAnswers(socketPath)) {
				throw new Error(`another process already serves this run's control channel (${socketPath})`);
			}

			unlinkSync(socketPath);
		}

		const server = net.createServer();
		// Created 0600 from the start (umask), not chmod-ed after others could connect.
		const umask = process.umask(0o177);
		try {
			await new Promise<void>((resolve, reject) => {
				server.once('error', reject);
				server.listen(socketPath, () => resolve());
			});
		} finally {
			process.umask(umask);
		}

		chmodSync(socketPath, 0o600);
		server.unref();
		return new ControlServer(server, socketPath, target);
	}

	snapshot(): RunSnapshot {
		const {control} = this.target;
		return {
			phase: this.phase,
			paused: control.paused,
			aborting: control.aborting,
			batchSize: control.batchSize,
			tokenBudget: control.tokenBudget,
			device: this.device,
			startedAt: this.startedAt,
			...(this.channels ? {channels: this.channels} : {}),
			rssBytes: process.memoryUsage().rss,
			pid: process.pid,
		};
	}

	private accept(socket: net.Socket): void {
		const client: Client = {socket, readOnly: true, greeted: false};
		this.clients.add(client);
		socket.on('data', lineReader<ClientMessage>(message => this.receive(client, message), () => this.send(client, {type: 'error', message: 'malformed line'})));
		socket.on('close', () => this.clients.delete(client));
		socket.on('error', () => this.clients.delete(client));
		this.send(client, {type: 'hello', version: protocolVersion, pid: process.pid});
		this.send(client, {type: 'snapshot', snapshot: this.snapshot()});
	}

	private receive(client: Client, message: ClientMessage): void {
		if (message.type === 'hello') {
			client.greeted = true;
			client.readOnly = message.readOnly;
			return;
		}

		if (!client.greeted || client.readOnly) {
			this.send(client, {type: 'error', id: message.id, message: 'this client is read-only'});
			return;
		}

		this.apply(message);
		this.send(client, {type: 'ack', id: message.id});
		// Every client sees the effect at once, not at the next periodic snapshot.
		this.broadcast({type: 'snapshot', snapshot: this.snapshot()});
	}

	private apply(command: ControlCommand): void {
		const {control} = this.target;
		switch (command.command) {
			case 'pause': {
				control.pause();
				break;
			}

			case 'resume': {
				control.resume();
				break;
			}

			case 'batch': {
				control.setBatchSize(command.size, 'user');
				break;
			}

			case 'cpu': {
				control.switchDevice('cpu');
				break;
			}

			case 'retry': {
				control.retryFailed();
				break;
			}

			case 'stop': {
				control.abort();
				break;
			}

			case 'rollback-request': {
				// The run must stop before anything is rolled back; the client rolls back once it ended.
				(this.target.onRollbackRequest ?? (() => control.abort()))();
				break;
			}
		}
	}

	private forward(name: MigrationEventName, payload: unknown): void {
		const wire =
			name === 'run:error'
				? {name, payload: {error: {message: (payload as {error: Error}).error.message, exitCode: (payload as {error: {exitCode?: number}}).error.exitCode}, phase: (payload as {phase: Phase}).phase}}
				: {name, payload};
		this.broadcast({type: 'event', event: wire as WireEvent});
	}

	private send(client: Client, message: ServerMessage): void {
		if (!client.socket.destroyed) {
			client.socket.write(encode(message));
		}
	}

	private broadcast(message: ServerMessage): void {
		for (const client of this.clients) {
			this.send(client, message);
		}
	}

	async close(): Promise<void> {
		clearInterval(this.timer);
		for (const stop of this.unsubscribe.splice(0)) {
			stop();
		}

		for (const client of this.clients) {
			client.socket.end();
		}

		await new Promise<void>(resolve => {
			this.server.close(() => resolve());
			for (const client of this.clients) {
				client.socket.destroy();
			}
		});
		if (existsSync(this.socketPath)) {
			unlinkSync(this.socketPath);
		}
	}
}
