/**
 * How the dashboard reaches the terminal: an Ink frame redrawn at most 10 times a second, or on
 * TERM=dumb plain progress lines with keys read from raw stdin. Either can be cut off when the
 * terminal goes away, and clears its last frame on close.
 */
import {render} from 'ink';
import {App} from './components/App.js';
import type {Theme} from './components/theme.js';
import type {DashboardController} from './controller.js';
import {plainPrinter} from './plain-output.js';
import type {DetachableOutput} from './terminal-output.js';

export type View = {detach: () => void; close: () => Promise<void>};

export function inkView(controller: DashboardController, output: DetachableOutput, stdin: NodeJS.ReadStream, theme: Theme, workspace: string): View {
	let closing = false;
	const instance = render(<App controller={controller} theme={theme} workspace={workspace} closing={() => closing} />, {
		stdout: output as unknown as NodeJS.WriteStream,
		stdin,
		maxFps: 10,
		exitOnCtrlC: false,
		patchConsole: true,
	});
	const unmount = () => {
		try {
			instance.unmount();
		} catch {
			// Raw mode cannot be reset on a terminal that is gone.
		}
	};

	return {
		detach: unmount,
		async close() {
			// The last frame is cleared: render an empty frame, then unmount (Ink draws the final one).
			closing = true;
			controller.dispatch({type: 'overlay', overlay: {kind: 'none'}});
			instance.rerender(<App controller={controller} theme={theme} workspace={workspace} closing={() => closing} />);
			await new Promise(resolve => setTimeout(resolve, 30));
			unmount();
			await instance.waitUntilExit().catch(() => undefined);
		},
	};
}

export function plainView(controller: DashboardController, output: DetachableOutput, stdin: NodeJS.ReadStream, theme: Theme, now: () => number): View {
	const print = plainPrinter(line => output.write(line), theme.strings, theme.unicode, now);
	const unsubscribe = controller.subscribe(() => print(controller.getState()));
	print(controller.getState());
	const onData = (data: Buffer) => controller.handleKey(data.toString('utf8'), {});
	if (stdin.isTTY) {
		stdin.setRawMode(true);
	}

	stdin.on('data', onData);
	const stop = () => {
		unsubscribe();
		stdin.off('data', onData);
		try {
			if (stdin.isTTY) {
				stdin.setRawMode(false);
			}
		} catch {
			// The terminal is gone.
		}

		stdin.pause();
	};

	return {
		detach: stop,
		async close() {
			print(controller.getState());
			stop();
			return Promise.resolve();
		},
	};
}
