/** The help overlay (drawn from the keymap) and the confirmations. */
import {Box} from 'ink';
import {keymap} from '../keymap.js';
import type {Overlay} from '../state.js';
import {Line, Panel} from './Panel.js';
import type {Theme} from './theme.js';

export function OverlayView({overlay, width, height, theme, readOnly}: {overlay: Overlay; width: number; height: number; theme: Theme; readOnly: boolean}) {
	const t = theme.strings;
	const boxWidth = Math.min(width, 72);
	if (overlay.kind === 'help') {
		const lines = Math.min(height - 2, keymap.length + 1);
		return (
			<Box width={width} justifyContent="center">
				<Panel title={t.help} width={boxWidth} lines={lines} theme={theme}>
					{keymap.slice(0, lines - 1).map(binding => (
						<Line key={binding.key} theme={theme} dim={readOnly && binding.acts}>
							{`  ${binding.key.padEnd(3)} ${binding.label[theme.language]}`}
						</Line>
					))}
					<Line theme={theme} dim>
						{t.helpClose}
					</Line>
				</Panel>
			</Box>
		);
	}

	const [title, body, extra] =
		overlay.kind === 'confirm-rollback'
			? [t.confirmRollbackTitle, t.confirmRollbackBody, `> ${overlay.typed}_`]
			: overlay.kind === 'confirm-quit'
				? [t.confirmQuitTitle, t.confirmQuitBody, '']
				: overlay.kind === 'busy'
					? [overlay.message, '', '']
					: ['', '', ''];
	return (
		<Box width={width} justifyContent="center">
			<Panel title={title} width={boxWidth} lines={3} theme={theme}>
				<Line theme={theme}>{body}</Line>
				<Line theme={theme} color="yellow" bold>
					{extra}
				</Line>
				<Line theme={theme} dim>
					{overlay.kind === 'busy' ? '' : 'Esc: cancel'}
				</Line>
			</Panel>
		</Box>
	);
}
