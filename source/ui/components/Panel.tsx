/**
 * A titled, bordered box of fixed size whose content never wraps past its lines. The top border
 * is drawn as text so the title can sit in it, as in btop.
 */
import {Box, Text} from 'ink';
import {Children, type ReactNode} from 'react';
import {displayWidth, fit, toAscii} from '../format.js';
import type {Theme} from './theme.js';

function topBorder(title: string, width: number, unicode: boolean): string {
	const [left, line, right] = unicode ? ['╭', '─', '╮'] : ['+', '-', '+'];
	const label = unicode ? fit(` ${title} `, Math.max(0, width - 4)) : fit(toAscii(` ${title} `), Math.max(0, width - 4), '.');
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

/** Outside a UTF-8 locale, the strings inside a line become ASCII (nested lines convert their own). */
function asciiChildren(children: ReactNode): ReactNode {
	return Children.map(children, child => (typeof child === 'string' ? toAscii(child) : child));
}

/**
 * One line of text, cut to the panel's width instead of wrapping. Ink cuts with "…", which is not
 * ASCII: outside a UTF-8 locale the line wraps inside a one-row box instead, which clips it.
 */
export function Line({children, color, theme, bold, dim}: {children: ReactNode; color?: string; theme: Theme; bold?: boolean; dim?: boolean}) {
	const text = (
		<Text wrap={theme.unicode ? 'truncate-end' : 'wrap'} color={theme.color ? color : undefined} bold={bold} dimColor={theme.color ? dim : false}>
			{theme.unicode ? children : asciiChildren(children)}
		</Text>
	);
	return theme.unicode ? (
		text
	) : (
		<Box height={1} overflow="hidden" flexShrink={0}>
			{text}
		</Box>
	);
}

/** Coloured text inside a Line. */
export function Span({children, color, theme, bold}: {children: string; color?: string; theme: Theme; bold?: boolean}) {
	return (
		<Text color={theme.color ? color : undefined} bold={bold}>
			{theme.unicode ? children : toAscii(children)}
		</Text>
	);
}
