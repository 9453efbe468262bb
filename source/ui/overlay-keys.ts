/** Keys while an overlay is open: it takes every key, so nothing reaches the run by accident. */
import type {CommandRunner} from './commands.js';
import type {KeyPress} from './keys.js';
import type {DashboardState, Overlay} from './state-types.js';

const confirmWord = 'rollback';

function rollbackTyping(commands: CommandRunner, overlay: Extract<Overlay, {kind: 'confirm-rollback'}>, press: KeyPress): void {
	switch (press.kind) {
		case 'escape':
		case 'interrupt': {
			commands.cancelRollback();
			return;
		}

		case 'return': {
			if (overlay.typed === confirmWord) {
				void commands.rollback();
			} else if (overlay.typed === '') {
				// Enter alone cancels: never a rollback by accident.
				commands.cancelRollback();
			} else {
				commands.overlay({kind: 'confirm-rollback', typed: '', wrong: true});
			}

			return;
		}

		case 'backspace': {
			commands.overlay({...overlay, typed: [...overlay.typed].slice(0, -1).join('')});
			return;
		}

		case 'kill-line': {
			commands.overlay({...overlay, typed: ''});
			return;
		}

		case 'char': {
			commands.overlay({...overlay, typed: `${overlay.typed}${press.char}`.slice(0, 20), wrong: false});
			return;
		}

		default: {
			// Tab and paging keys mean nothing in a text field.
		}
	}
}

/** Help pages: space, n, → or PgDn next; ← or PgUp back; ?, q or Esc close. */
function helpKeys(commands: CommandRunner, page: number, press: KeyPress): void {
	if (press.kind === 'page-down' || (press.kind === 'char' && (press.char === ' ' || press.char === 'n'))) {
		commands.overlay({kind: 'help', page: page + 1});
	} else if (press.kind === 'page-up') {
		commands.overlay({kind: 'help', page: Math.max(0, page - 1)});
	} else if (press.kind === 'escape' || (press.kind === 'char' && (press.char === '?' || press.char === 'q'))) {
		commands.overlay({kind: 'none'});
	} else if (press.kind === 'interrupt') {
		commands.overlay({kind: 'none'});
		commands.interrupt();
	}
}

function historyKeys(commands: CommandRunner, press: KeyPress): void {
	if (press.kind === 'escape' || (press.kind === 'char' && (press.char === 'h' || press.char === 'q'))) {
		commands.overlay({kind: 'none'});
	} else if (press.kind === 'interrupt') {
		commands.overlay({kind: 'none'});
		commands.interrupt();
	}
}

export function handleOverlayKey(commands: CommandRunner, state: DashboardState, press: KeyPress): void {
	const {overlay} = state;
	switch (overlay.kind) {
		case 'confirm-rollback': {
			rollbackTyping(commands, overlay, press);
			return;
		}

		case 'confirm-quit': {
			if (press.kind === 'interrupt') {
				commands.interrupt();
				return;
			}

			// Staying is the default: only y quits.
			commands.overlay({kind: 'none'});
			if (press.kind === 'char' && (press.char === 'y' || press.char === 'Y')) {
				commands.quitSafely();
			}

			return;
		}

		case 'help': {
			helpKeys(commands, overlay.page, press);
			return;
		}

		case 'history': {
			historyKeys(commands, press);
			return;
		}

		case 'busy': {
			// A rollback under way takes keys too (a second action must not interleave with it); only
			// Ctrl+C still means stop.
			if (press.kind === 'interrupt') {
				commands.interrupt();
			}

			return;
		}

		case 'none': {
			// Not reached: the controller routes keys here only while an overlay is open.
		}
	}
}
