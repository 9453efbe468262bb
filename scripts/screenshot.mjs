#!/usr/bin/env node
// Makes media/dashboard.png from a real terminal: the dashboard runs a demo migration in tmux,
// `tmux capture-pane -e` takes the screen with its colours mid-migration, the ANSI text becomes
// HTML, and headless Chromium renders it to PNG.
// Needs: npm run build, tmux, chromium (apt-get install chromium fonts-noto-cjk).
// Usage: node scripts/screenshot.mjs [--columns 120] [--rows 34] [--out media/dashboard.png]
//        node scripts/screenshot.mjs --cast media/detach-attach.cast   (no chromium needed)
// --cast records an asciinema v2 cast of detaching and re-attaching instead: a dashboard starts
// and pauses a run, its terminal is closed (SIGHUP), a second dashboard attaches, resumes it and
// sees it finish. --cli picks the CLI (default dist/cli.js; .build/source/cli.js after typecheck).
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

const argument = (name, fallback) => {
	const index = process.argv.indexOf(`--${name}`);
	return index > 0 ? process.argv[index + 1] : fallback;
};

const columns = Number(argument('columns', '120'));
const rows = Number(argument('rows', '34'));
const out = path.resolve(argument('out', 'media/dashboard.png'));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.resolve(root, argument('cli', 'dist/cli.js'));
const castFile = argument('cast', undefined);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'qwen3-shot-'));
const workspace = path.join(scratch, 'ws');
const socket = `qwen3-shot-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});

const palette = ['#1e1e1e', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#dcdfe4'];
const bright = ['#5c6370', '#ff7b86', '#b5e890', '#ffd787', '#8cc8ff', '#e09cff', '#7fdbe6', '#ffffff'];

function color256(index) {
	if (index < 8) return palette[index];
	if (index < 16) return bright[index - 8];
	if (index >= 232) {
		const level = 8 + (index - 232) * 10;
		return `rgb(${level},${level},${level})`;
	}

	const cube = index - 16;
	const scale = value => (value === 0 ? 0 : 55 + value * 40);
	return `rgb(${scale(Math.floor(cube / 36))},${scale(Math.floor(cube / 6) % 6)},${scale(cube % 6)})`;
}

const escapeHtml = text => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const wide = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1FAFF}]/u;

/** Every character in a cell of the terminal's grid (two cells for CJK), whatever the font does. */
const cells = text => [...text].map(char => `<i class="${wide.test(char) ? 'w' : 'n'}">${escapeHtml(char)}</i>`).join('');

/** ANSI SGR text (as tmux capture-pane -e gives it) to HTML spans. */
function ansiToHtml(text) {
	let style = {};
	let html = '';
	const pattern = new RegExp(`${String.fromCodePoint(27)}\\[([\\d;]*)m`, 'g');
	let last = 0;
	const open = () => {
		const css = [];
		if (style.fg) css.push(`color:${style.fg}`);
		if (style.bg) css.push(`background:${style.bg}`);
		if (style.bold) css.push('font-weight:bold');
		if (style.dim) css.push('opacity:0.6');
		return css.length > 0 ? `<span style="${css.join(';')}">` : '<span>';
	};

	for (const match of text.matchAll(pattern)) {
		html += `${open()}${cells(text.slice(last, match.index))}</span>`;
		last = match.index + match[0].length;
		const codes = match[1] === '' ? [0] : match[1].split(';').map(Number);
		for (let index = 0; index < codes.length; index++) {
			const code = codes[index];
			if (code === 0) style = {};
			else if (code === 1) style.bold = true;
			else if (code === 2) style.dim = true;
			else if (code === 22) style.bold = style.dim = false;
			else if (code >= 30 && code <= 37) style.fg = palette[code - 30];
			else if (code >= 90 && code <= 97) style.fg = bright[code - 90];
			else if (code === 39) style.fg = undefined;
			else if (code >= 40 && code <= 47) style.bg = palette[code - 40];
			else if (code === 49) style.bg = undefined;
			else if ((code === 38 || code === 48) && codes[index + 1] === 5) {
				style[code === 38 ? 'fg' : 'bg'] = color256(codes[index + 2]);
				index += 2;
			} else if ((code === 38 || code === 48) && codes[index + 1] === 2) {
				style[code === 38 ? 'fg' : 'bg'] = `rgb(${codes[index + 2]},${codes[index + 3]},${codes[index + 4]})`;
				index += 4;
			}
		}
	}

	return `${html}${open()}${cells(text.slice(last))}</span>`;
}

/** Frames of a tmux pane, timed, as an asciinema v2 cast (each frame redraws the whole screen). */
function castRecorder(session) {
	const started = Date.now();
	const events = [];
	let last = '';
	return {
		frame() {
			const screen = tmux('capture-pane', '-p', '-e', '-t', session);
			if (screen !== last) {
				last = screen;
				events.push([(Date.now() - started) / 1000, 'o', `\u001B[H\u001B[2J${screen.replaceAll('\n', '\r\n')}`]);
			}

			return screen;
		},
		note(text) {
			events.push([(Date.now() - started) / 1000, 'o', `\u001B[H\u001B[2J\r\n  ${text}\r\n`]);
			spawnSync('sleep', ['1.5']);
		},
		write(file) {
			const header = {version: 2, width: columns, height: rows, title: 'qwen3-migrate: detach and re-attach'};
			writeFileSync(file, `${[header, ...events].map(event => JSON.stringify(event)).join('\n')}\n`);
		},
	};
}

const plain = text => text.replaceAll(new RegExp(`${String.fromCodePoint(27)}\\[[\\d;]*m`, 'g'), '');

function waitFrames(recorder, pattern, timeoutMs = 120_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (pattern.test(plain(recorder.frame()))) return;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}`);
		spawnSync('sleep', ['0.25']);
	}
}

/** Detach and re-attach, recorded as a cast. */
function recordCast(file) {
	execFileSync(process.execPath, [cli, 'demo', workspace, '--messages', '3000', '--channels', '3', '--no-ui'], {stdio: 'inherit'});
	const env = `env LANG=C.UTF-8 TERM=xterm-256color FORCE_COLOR=3 QWEN3_MIGRATE_FAULTS=slow@batch=8:4000`;
	tmux('new-session', '-d', '-s', 'first', '-x', String(columns), '-y', String(rows), `${env} ${process.execPath} ${cli} dashboard --workspace ${workspace}; sleep 60`);
	const first = castRecorder('first');
	waitFrames(first, /IDLE/);
	tmux('send-keys', '-t', 'first', 's');
	waitFrames(first, /RUNNING/);
	waitFrames(first, /[1-9]\d*\/\d+ /);
	tmux('send-keys', '-t', 'first', 'p');
	waitFrames(first, /PAUSED/);
	first.note('The SSH session drops (tmux kill-session): the paused run goes on in the background.');
	tmux('kill-session', '-t', 'first');
	tmux('new-session', '-d', '-s', 'second', '-x', String(columns), '-y', String(rows), `${env} ${process.execPath} ${cli} dashboard --workspace ${workspace}; sleep 60`);
	first.note('A new login: qwen3-migrate dashboard --workspace ... attaches to the live run.');
	const second = castRecorder('second');
	waitFrames(second, /PAUSED/);
	spawnSync('sleep', ['1']);
	second.frame();
	tmux('send-keys', '-t', 'second', 'p');
	waitFrames(second, /RUNNING|DONE/);
	// Only the state word: "finished" also appears in a stall warning ("no batch finished for …").
	waitFrames(second, /DONE/, 180_000);
	spawnSync('sleep', ['1']);
	second.frame();
	// One cast: the first dashboard's frames, the notes, then the second dashboard's.
	first.write(file);
	const firstLines = readFileSync(file, 'utf8').trim().split('\n');
	second.write(file);
	const secondLines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
	const offset = JSON.parse(firstLines.at(-1))[0] + 0.5;
	const shifted = secondLines.map(line => {
		const event = JSON.parse(line);
		return JSON.stringify([Number((event[0] + offset).toFixed(3)), event[1], event[2]]);
	});
	writeFileSync(file, `${[...firstLines, ...shifted].join('\n')}\n`);
	console.log(`wrote ${file}`);
}

try {
	if (castFile) {
		recordCast(path.resolve(castFile));
	} else {
		screenshot();
	}
} finally {
	spawnSync('tmux', ['-L', socket, 'kill-server']);
	rmSync(scratch, {recursive: true, force: true});
}

function screenshot() {
	execFileSync(process.execPath, [cli, 'demo', workspace, '--messages', '6000', '--channels', '6', '--no-ui'], {stdio: 'inherit'});
	const command = `env LANG=C.UTF-8 TERM=xterm-256color FORCE_COLOR=3 QWEN3_MIGRATE_FAULTS=oom@size\\>16 ${process.execPath} ${cli} migrate --workspace ${workspace} --yes --batch-size 64; sleep 60`;
	tmux('new-session', '-d', '-s', 'shot', '-x', String(columns), '-y', String(rows), command);
	let screen = '';
	const deadline = Date.now() + 180_000;
	for (;;) {
		screen = tmux('capture-pane', '-p', '-e', '-t', 'shot');
		const percent = Number(/(\d+\.\d)%/.exec(plain(screen))?.[1] ?? 0);
		// Mid-migration, with the injected problem still current in the troubleshooting pane.
		if (percent >= 20 && percent < 90 && /Troubleshooting \(\d+\)/.test(plain(screen))) break;
		if (Date.now() > deadline) throw new Error(`no mid-migration screen in time:\n${screen}`);
		spawnSync('sleep', ['0.5']);
	}

	const html = `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#1e1e1e}
pre{margin:0;padding:16px;color:#dcdfe4;font:15px/1.25 "DejaVu Sans Mono","Noto Sans Mono CJK TC","Noto Sans CJK TC",monospace}
i{display:inline-block;font-style:normal;text-align:center;overflow:hidden;vertical-align:top}
i.n{width:9px}
i.w{width:18px}
</style><pre>${screen.split('\n').map(line => ansiToHtml(line)).join('\n')}</pre>`;
	const htmlFile = path.join(scratch, 'screen.html');
	writeFileSync(htmlFile, html);
	const width = Math.ceil(columns * 9 + 32);
	const height = Math.ceil(rows * 18.75 + 32);
	execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', `--user-data-dir=${path.join(scratch, 'profile')}`, `--window-size=${width},${height}`, `--screenshot=${out}`, `file://${htmlFile}`], {stdio: 'inherit'});
	console.log(`wrote ${out}`);
}
