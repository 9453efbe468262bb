/** The live dashboard: the controller's state, the terminal's size, keys to the controller. */
import {useInput, useStdout} from 'ink';
import {useEffect, useState, useSyncExternalStore} from 'react';
import type {DashboardController} from '../controller.js';
import {Dashboard} from './Dashboard.js';
import type {Theme} from './theme.js';

function useTerminalSize(): {columns: number; rows: number} {
	const {stdout} = useStdout();
	const read = () => ({columns: stdout.columns || 80, rows: stdout.rows || 24});
	const [size, setSize] = useState(read);
	useEffect(() => {
		const onResize = () => setSize(read());
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	});
	return size;
}

/** `closing` makes the last frame empty, so quitting leaves a clean terminal. */
export function App({controller, theme, workspace, closing}: {controller: DashboardController; theme: Theme; workspace: string; closing?: () => boolean}) {
	const state = useSyncExternalStore(controller.subscribe, controller.getState);
	const {columns, rows} = useTerminalSize();
	useInput((input, key) => controller.handleKey(input, key));
	if (closing?.()) {
		return null;
	}

	return <Dashboard state={state} columns={columns} rows={rows} theme={theme} workspace={workspace} />;
}
