/**
 * The dashboard's stdout, through a stand-in that can be cut off: when the terminal goes away
 * (SIGHUP, a closed pty, EIO on write) drawing stops, but the run started from the dashboard must
 * go on, so writes are dropped instead of raising errors that would end the process.
 */
import {Writable} from 'node:stream';

export class DetachableOutput extends Writable {
	private detached = false;

	constructor(private readonly target: NodeJS.WriteStream) {
		super({decodeStrings: false});
		target.on('resize', this.forwardResize);
	}

	private readonly forwardResize = () => this.emit('resize');

	get isTTY(): boolean {
		return this.target.isTTY;
	}

	get columns(): number {
		return this.target.columns;
	}

	get rows(): number {
		return this.target.rows;
	}

	get isDetached(): boolean {
		return this.detached;
	}

	/** From now on nothing is written (the terminal is gone). */
	detach(): void {
		this.detached = true;
		this.target.off('resize', this.forwardResize);
	}

	override _write(chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		if (this.detached) {
			callback();
			return;
		}

		try {
			// Errors on the real stream (EIO) arrive as its 'error' event, which the owner handles.
			this.target.write(chunk as string, encoding);
		} catch {
			this.detach();
		}

		callback();
	}
}
