/**
 * A titled, bordered box of fixed size whose content never wraps past its lines. The top border
 * is drawn as text so the title can sit in it, as in btop.
 */
import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {displayWidth, fit} from '../format.js';
import type {Theme} from './theme.js';

function topBorder(title: string, width: number, unicode: boolean): string {
	const [left, line, right] = unicode ? ['╭', '─', '╮'] : ['+', '-', '+'];
	const label = fit(` ${title} `, Math.max(0, width - 4));
	const rest = Math.max(0, width - 3 - displayWidth(label));
	return `${left}${line}${label}${line.repeat(rest)}${right}`;
}

export function Panel({title, width, lines, theme, children}: {title: string; width: number; lines: number; theme: Theme; children: ReactNode}) {
	const color = theme.color ? 'gray' : undefined;
	return (
		<Box flexDirection="column" width={width} height={lines + 2}>
			<Text color={color} wrap="truncate-end">
				{topBorder(title, width, theme.unicode)}
			</Text>
			<Box flexDirection="column" width={width} height={lines + 1} borderStyle={theme.unicode ? 'round' : 'classic'} borderTop={false} borderColor={color} overflow="hidden">
				{children}
			</Box>
		</Box>
	);
}

/** One line of text, cut to the panel's width instead of wrapping. */
export function Line({children, color, theme, bold, dim}: {children: ReactNode; color?: string; theme: Theme; bold?: boolean; dim?: boolean}) {
	return (
		<Text wrap="truncate-end" color={theme.color ? color : undefined} bold={bold} dimColor={theme.color ? dim : false}>
			{children}
		</Text>
	);
}
