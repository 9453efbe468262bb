/**
 * The bot's text rule for the remote path and `serve --bot-preprocess`: the same function the
 * local embedder applies (engine/text/bot-text.ts), so both paths send identical text.
 */
export {preprocessForBot as botPreprocess} from '../text/bot-text.js';
