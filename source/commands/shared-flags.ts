/** Flags that mean the same in every subcommand. */
import type {FlagSpec} from './types.js';

export const workspaceFlag: Record<string, FlagSpec> = {
	workspace: {type: 'string', shortFlag: 'w', default: '.'},
};

export const outputFlags: Record<string, FlagSpec> = {
	json: {type: 'boolean', default: false},
	debug: {type: 'boolean', default: false},
};

export const sharedHelp = {
	workspace: '--workspace, -w DIR  The bot\'s directory (holds settings.json and data/memory). Default: .',
	json: '--json               Print one JSON document instead of text (for scripts)',
	debug: '--debug              Show stack traces of errors',
	help: '--help, -h           Show this help',
};
