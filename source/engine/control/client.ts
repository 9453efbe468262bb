/**
 * Attaches to a run's control channel: the run's events are replayed into a local MigrationEvents
 * (so a dashboard consumes them exactly as from a run of its own), its snapshots are kept, and
 * `control` steers the run with the same methods a local RunControl has.
 */
import net from 'node:net';
import {MigrationEvents} from '../migration/events.js';
import {encode, lineReader, protocolVersion, type ClientMessage, type ControlCommand, type RunSnapshot, type ServerMessage} from './protocol.js';

const helloTimeoutMs = 3000;

/** A run's controls over the socket; values read back come from the latest snapshot. */
export class RemoteControl {
	constructor(private readonly client: ControlClient) {}

	get paused(): boolean {
		return this.client.snapshot?.paused ?? false;
	}

	get aborting(): boolean {
		return this.client.snapshot?.aborting ?? false;
	}

	get batchSize(): number {
		return this.client.snapshot?.batchSize ?? 0;
	}

	get tokenBudget(): number {
		return this.client.snapshot?.tokenBudget ?? Number.POSITIVE_INFINITY;
	}

	pause(): void {
		this.client.send({command: 'pause'}, snapshot => ({...snapshot, paused: true}));
	}

	resume(): void {
		this.client.send({command: 'resume'}, snapshot => ({...snapshot, paused: false}));
	}

	setBatchSize(size: number): number {
		const next = Math.max(1, Math.floor(size));
		this.client.send({command: 'batch', size: next}, snapshot => ({...snapshot, batchSize: next}));
		return next;
	}

	halveBatchSize(): number {
		return this.setBatchSize(Math.floor(this.batchSize / 2));
	}

	switchDevice(): void {
		this.client.send({command: 'cpu'});
	}

	retryFailed(): void {
		this.client.send({command: 'retry'});
	}

	abort(): void {
		this.client.send({command: 'stop'}, snapshot => ({...snapshot, aborting: true}));
	}
}

export class ControlClient {
	readonly events = new MigrationEvents();
	readonly control = new RemoteControl(this);
	snapshot: RunSnapshot | undefined;
	serverPid: number | undefined;
	private nextId = 1;
	private readonly snapshotListeners = new Set<(snapshot: RunSnapshot) => void>();
	private readonly closeListeners = new Set<() => void>();

	private constructor(private readonly socket: net.Socket) {}

	/** Connects and waits for the server's hello; rejects when nothing serves or the version differs. */
	static async connect(socketPath: string, options: {readOnly: boolean}): Promise<ControlClient> {
		const socket = net.connect(socketPath);
		const client = new ControlClient(socket);
		await new Promise<void>((resolve, reject) => {
			const timeout = setTimeout(() => fail(new Error('the control channel did not answer')), helloTimeoutMs);
			const fail = (error: Error) => {
				clearTimeout(timeout);
				socket.destroy();
				reject(error);
			};

			socket.once('error', fail);
			socket.on(
				'data',
				lineReader<ServerMessage>(
					message => {
						if (message.type === 'hello') {
							clearTimeout(timeout);
							if (Math.floor(message.version) !== protocolVersion) {
								fail(new Error(`the run speaks control protocol ${message.version}, this dashboard ${protocolVersion}: use the same qwen3-migrate version`));
								return;
							}

							client.serverPid = message.pid;
							socket.off('error', fail);
							socket.on('error', () => undefined);
							client.write({type: 'hello', version: protocolVersion, readOnly: options.readOnly});
							resolve();
						}

						client.receive(message);
					},
					() => undefined,
				),
			);
		});
		socket.on('close', () => {
			for (const listener of client.closeListeners) {
				listener();
			}
		});
		return client;
	}

	private receive(message: ServerMessage): void {
		if (message.type === 'snapshot') {
			this.setSnapshot(message.snapshot);
		} else if (message.type === 'event') {
			const {name} = message.event;
			const payload = name === 'run:error' ? {...message.event.payload, error: Object.assign(new Error(message.event.payload.error.message), {exitCode: message.event.payload.error.exitCode})} : message.event.payload;
			this.events.emit(name, payload);
		}
	}

	private setSnapshot(snapshot: RunSnapshot): void {
		this.snapshot = snapshot;
		for (const listener of this.snapshotListeners) {
			listener(snapshot);
		}
	}

	private write(message: ClientMessage): void {
		if (!this.socket.destroyed) {
			this.socket.write(encode(message));
		}
	}

	/** Sends a command; `expect` updates the local snapshot at once so the key shows its effect. */
	send(command: ControlCommand, expect?: (snapshot: RunSnapshot) => RunSnapshot): void {
		this.write({type: 'command', id: this.nextId++, ...command});
		if (expect && this.snapshot) {
			this.setSnapshot(expect(this.snapshot));
		}
	}

	onSnapshot(listener: (snapshot: RunSnapshot) => void): () => void {
		this.snapshotListeners.add(listener);
		return () => this.snapshotListeners.delete(listener);
	}

	onClose(listener: () => void): () => void {
		this.closeListeners.add(listener);
		return () => this.closeListeners.delete(listener);
	}

	close(): void {
		this.socket.end();
		this.socket.destroy();
	}
}
