/** Runs the bot's Python expression (test/python/bot_text.py) with /usr/bin/python3 over a table of texts. */
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The .py helpers stay in test/python (not compiled): .build/test/engine/text → test/python. */
const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/python/bot_text.py');

export type PythonBotText = {processed: string[]; whitespace: number[]};

export function botTextWithPython(texts: string[]): PythonBotText {
	const result = spawnSync('/usr/bin/python3', [script], {input: JSON.stringify({texts}), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
	if (result.status !== 0) {
		throw new Error(`python3 bot_text.py failed (${result.status}): ${result.stderr}`);
	}

	return JSON.parse(result.stdout) as PythonBotText;
}
