/** The help overlay (drawn from the keymap, in pages), the problem history and the confirmations. */
import {Box} from 'ink';
import {keymap} from '../keymap.js';
import {fill} from '../i18n.js';
import {wrapText} from '../format.js';
import {problemById} from '../../engine/diagnosis/catalogue.js';
import type {Overlay, PastProblem} from '../state.js';
import {Line, Panel} from './Panel.js';
import type {Theme} from './theme.js';

const maxDialogWidth = 72;

/** Help lines per page in `height` rows: borders and the paging line take three. */
export function helpPages(height: number): {perPage: number; pages: number} {
	const perPage = Math.max(1, height - 3);
	return {perPage, pages: Math.ceil(keymap.length / perPage)};
}

function HelpView({page, width, height, theme, readOnly}: {page: number; width: number; height: number; theme: Theme; readOnly: boolean}) {
	const t = theme.strings;
	const {perPage, pages} = helpPages(height);
	const shown = page % pages;
	const bindings = keymap.slice(shown * perPage, (shown + 1) * perPage);
	return (
		<Panel title={t.help} width={width} lines={bindings.length + 1} theme={theme}>
			{bindings.map(binding => (
				<Line key={binding.key} theme={theme} dim={readOnly && binding.acts}>
					{`  ${binding.key.padEnd(3)} ${binding.label[theme.language]}`}
				</Line>
			))}
			<Line theme={theme} dim>
				{pages > 1 ? fill(t.pageHint, {page: shown + 1, pages}) : t.helpClose}
			</Line>
		</Panel>
	);
}

function HistoryView({history, width, height, theme}: {history: PastProblem[]; width: number; height: number; theme: Theme}) {
	const t = theme.strings;
	const shown = history.slice(-Math.max(1, height - 3)).reverse();
	const time = (ms: number) => new Date(ms).toTimeString().slice(0, 8);
	return (
		<Panel title={t.historyTitle} width={width} lines={Math.max(1, shown.length) + 1} theme={theme}>
			{shown.length === 0 ? (
				<Line theme={theme} dim>
					{t.historyEmpty}
				</Line>
			) : (
				shown.map(past => (
					<Line key={`${past.id}-${past.seenAt}`} theme={theme}>
						{`${time(past.seenAt)} ${problemById(past.id).title[theme.language]}${past.detail ? ` (${past.detail})` : ''} · ${t.resolved} ${time(past.resolvedAt)}`}
					</Line>
				))
			)}
			<Line theme={theme} dim>
				{t.historyHint}
			</Line>
		</Panel>
	);
}

function dialogText(overlay: Overlay, theme: Theme): {title: string; body: string; field: string; hint: string} {
	const t = theme.strings;
	switch (overlay.kind) {
		case 'confirm-rollback': {
			return {title: t.confirmRollbackTitle, body: overlay.wrong ? `${t.typedWrong}. ${t.confirmRollbackBody}` : t.confirmRollbackBody, field: `> ${overlay.typed}_`, hint: t.cancelHint};
		}

		case 'confirm-quit': {
			return {title: t.confirmQuitTitle, body: t.confirmQuitBody, field: '', hint: ''};
		}

		case 'busy': {
			return {title: overlay.message, body: overlay.message, field: '', hint: ''};
		}

		default: {
			return {title: '', body: '', field: '', hint: ''};
		}
	}
}

/** Dialogs wrap their text within the terminal: an instruction cut off is no instruction. */
function DialogView({overlay, width, height, theme}: {overlay: Overlay; width: number; height: number; theme: Theme}) {
	const {title, body, field, hint} = dialogText(overlay, theme);
	const bodyLines = wrapText(body, width - 2);
	const extra = [field, hint].filter(Boolean);
	const shownBody = bodyLines.slice(0, Math.max(1, height - 2 - extra.length));
	return (
		<Panel title={title} width={width} lines={shownBody.length + extra.length} theme={theme}>
			{shownBody.map((line, index) => (
				<Line key={index} theme={theme} color={overlay.kind === 'confirm-rollback' && overlay.wrong && index === 0 ? 'red' : undefined}>
					{line}
				</Line>
			))}
			{field ? (
				<Line theme={theme} color="yellow" bold>
					{field}
				</Line>
			) : undefined}
			{hint ? (
				<Line theme={theme} dim>
					{hint}
				</Line>
			) : undefined}
		</Panel>
	);
}

export function OverlayView({overlay, history, width, height, theme, readOnly}: {overlay: Overlay; history: PastProblem[]; width: number; height: number; theme: Theme; readOnly: boolean}) {
	const boxWidth = Math.min(width, maxDialogWidth);
	const content =
		overlay.kind === 'help' ? (
			<HelpView page={overlay.page} width={boxWidth} height={height} theme={theme} readOnly={readOnly} />
		) : overlay.kind === 'history' ? (
			<HistoryView history={history} width={boxWidth} height={height} theme={theme} />
		) : (
			<DialogView overlay={overlay} width={boxWidth} height={height} theme={theme} />
		);
	return (
		<Box width={width} justifyContent="center">
			{content}
		</Box>
	);
}
