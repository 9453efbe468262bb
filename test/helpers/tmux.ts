/** Drives a real terminal: the CLI runs in a detached tmux session on a private socket. */
import {execFileSync, spawnSync} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';

export class TmuxSession {
	private readonly socket = `qwen3-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
	private readonly name = 'main';

	static available(): boolean {
		return spawnSync('tmux', ['-V']).status === 0;
	}

	constructor(command: string, options: {columns?: number; rows?: number; env?: Record<string, string>} = {}) {
		const env = Object.entries({LANG: 'C.UTF-8', TERM: 'xterm-256color', ...options.env})
			.map(([key, value]) => `${key}=${JSON.stringify(value)}`)
			.join(' ');
		this.tmux('new-session', '-d', '-s', this.name, '-x', String(options.columns ?? 100), '-y', String(options.rows ?? 30), `env ${env} ${command}; sleep 30`);
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

	/** Polls the screen until `pattern` shows, or fails with the last screen. */
	async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		let screen = '';
		while (Date.now() < deadline) {
			screen = this.screen();
			if (pattern.test(screen)) {
				return screen;
			}

			await sleep(200);
		}

		throw new Error(`timed out waiting for ${pattern}; screen was:\n${screen}`);
	}

	kill(): void {
		spawnSync('tmux', ['-L', this.socket, 'kill-server']);
	}
}
