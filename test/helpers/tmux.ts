/** Drives a real terminal: the CLI runs in a detached tmux session on a private socket. */
import {execFileSync, spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';

export type TmuxOptions = {
	columns?: number;
	rows?: number;
	env?: Record<string, string>;
	/** Record every byte the program writes to this file (tmux pipe-pane), for escape-sequence checks. */
	rawLog?: string;
	/** The program's pid is written here (the shell execs it, so it is the CLI's own pid). */
	pidFile?: string;
};

export class TmuxSession {
	private readonly socket = `qwen3-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
	private readonly name = 'main';

	static available(): boolean {
		return spawnSync('tmux', ['-V']).status === 0;
	}

	/**
	 * The command's exit status is printed as `exit=N` after it ends (the pane stays open a while),
	 * so tests can wait for it on screen.
	 */
	constructor(command: string, options: TmuxOptions = {}) {
		const env = Object.entries({LANG: 'C.UTF-8', TERM: 'xterm-256color', ...options.env})
			.map(([key, value]) => `${key}=${JSON.stringify(value)}`)
			.join(' ');
		const pid = options.pidFile ? `echo $$ > ${JSON.stringify(options.pidFile)}; ` : '';
		// With a raw log the program waits for Enter, sent once pipe-pane records: nothing is missed.
		const wait = options.rawLog ? 'read -r _; ' : '';
		const program = `${wait}${pid}exec env ${env} ${command}`;
		// Single quotes: `$$` must be the inner shell's pid (the one that execs the CLI), not tmux's shell.
		if (program.includes("'")) {
			throw new Error(`a tmux test command cannot contain single quotes: ${program}`);
		}

		this.tmux('new-session', '-d', '-s', this.name, '-x', String(options.columns ?? 100), '-y', String(options.rows ?? 30), `sh -c '${program}'; echo "exit=$?"; sleep 60`);
		if (options.rawLog) {
			this.tmux('pipe-pane', '-o', '-t', this.name, `cat >> ${JSON.stringify(options.rawLog)}`);
			this.sendKeys('Enter');
		}
	}

	private tmux(...arguments_: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, ...arguments_], {encoding: 'utf8'});
	}

	screen(): string {
		return this.tmux('capture-pane', '-p', '-t', this.name);
	}

	sendKeys(...keys: string[]): void {
		this.tmux('send-keys', '-t', this.name, ...keys);
	}

	/** Sends text as literal characters in one write (a burst, as a fast typist or a paste). */
	sendLiteral(text: string): void {
		this.tmux('send-keys', '-l', '-t', this.name, text);
	}

	resize(columns: number, rows: number): void {
		this.tmux('resize-window', '-t', this.name, '-x', String(columns), '-y', String(rows));
	}

	/** Polls the screen until `pattern` shows, or fails with the last screen. */
	async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		let screen = '';
		while (Date.now() < deadline) {
			screen = this.screen();
			if (pattern.test(screen)) {
				return screen;
			}

			await sleep(150);
		}

		throw new Error(`timed out waiting for ${pattern}; screen was:\n${screen}`);
	}

	/** The exit status the command ended with (waits for it). */
	async exitCode(timeoutMs = 60_000): Promise<number> {
		const screen = await this.waitFor(/exit=\d+/, timeoutMs);
		return Number(/exit=(\d+)/.exec(screen)![1]);
	}

	/** Closes the terminal under the program: tmux sends it SIGHUP, as a dropped SSH session does. */
	kill(): void {
		spawnSync('tmux', ['-L', this.socket, 'kill-server']);
	}
}

export function readPid(file: string): number {
	return Number(readFileSync(file, 'utf8').trim());
}

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
