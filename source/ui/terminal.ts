/** What the terminal can show, from the environment: colour, Unicode, language. */

export type TerminalCapabilities = {color: boolean; unicode: boolean; language: 'en' | 'zh'};

export function detectCapabilities(env: NodeJS.ProcessEnv): TerminalCapabilities {
	const noColor = env.NO_COLOR !== undefined || env.FORCE_COLOR === '0' || env.TERM === 'dumb';
	const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
	const unicode = /utf-?8/i.test(locale);
	const languageSource = env.LC_ALL || env.LANG || '';
	return {color: !noColor, unicode, language: /^zh/i.test(languageSource) ? 'zh' : 'en'};
}
