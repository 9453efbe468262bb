/** How to draw: colours on or off, Unicode or ASCII, and the wording. */
import type {Strings} from '../i18n.js';

export type Theme = {color: boolean; unicode: boolean; strings: Strings; language: 'en' | 'zh'};
