import assert from 'node:assert/strict';
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {describe, it} from 'node:test';
import {createDownloadPrinter} from '../../source/commands/shared/download-printer.js';
import {demoModelDirs} from '../../source/demo/create-workspace.js';
import type {DownloadProgress} from '../../source/engine/embed/download.js';
import {startCli, runCliAsync} from '../helpers/cli.js';
import {startHubServer, type HubFaults, type HubServer} from '../helpers/hub-server.js';
import {demoWorkspace} from '../helpers/workspace.js';

const repository = 'onnx-community/Qwen3-Embedding-0.6B-ONNX';


/** A demo workspace whose target model comes from a hub stand-in (serving the demo's own weights) instead of a local directory. */
async function hubWorkspace(faults: HubFaults = {}): Promise<{root: string; hub: HubServer; cache: string}> {
	const paths = await demoWorkspace({messages: 60, channels: 2});
	const hub = await startHubServer(path.join(paths.root, demoModelDirs.target), repository, faults);
	const settings = JSON.parse(readFileSync(paths.settings, 'utf8')) as {memory_system: {migration: Record<string, unknown>}};
	settings.memory_system.migration.target_model_path = null;
	settings.memory_system.migration.hf_endpoint = hub.url;
	writeFileSync(paths.settings, JSON.stringify(settings, undefined, 2));
	return {root: paths.root, hub, cache: path.join(paths.root, 'data/memory/models', repository)};
}

/** Waits until the stalled transfer has written `bytes` bytes to `part`. */
async function untilPartHolds(part: string, bytes: number, output: () => string): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (!(existsSync(part) && readFileSync(part).length === bytes) && Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 50));
	}

	assert.ok(existsSync(part), `the transfer never started: ${output()}`);
}

/**
 * Runs the CLI against a hub that stalls after 10 bytes of config.json, presses Ctrl+C once that
 * much is on disk, and checks what every command must do then: exit 130 within seconds with the
 * `.part` kept for the resume. Returns what it printed.
 */
async function interruptDuringDownload(args: string[]): Promise<{stdout: string; stderr: string; output: string}> {
	const {root, hub, cache} = await hubWorkspace({stall: {file: 'config.json', bytes: 10}});
	try {
		const {child, done, output} = startCli([...args, '--workspace', root]);
		const exited = done.then(run => ({run, at: Date.now()}));
		const part = path.join(cache, 'config.json.part');
		await untilPartHolds(part, 10, output);
		const sentAt = Date.now();
		child.kill('SIGINT');
		const {run, at} = await exited;
		assert.equal(run.status, 130, output());
		assert.ok(at - sentAt < 5000, `took ${at - sentAt} ms to stop`);
		assert.equal(readFileSync(part).length, 10, 'the partial file stays for the resume');
		return {stdout: run.stdout, stderr: run.stderr, output: output()};
	} finally {
		await hub.close();
	}
}

const progressAt = (bytes: number, file = 'onnx/model.onnx_data', done = false): DownloadProgress => ({repository, file, fileIndex: 5, files: 5, fileBytes: bytes, fileTotal: 2000, bytes, totalBytes: 2000, bytesPerSecond: 100, done});

describe('download progress in the terminal', () => {
	it('redraws one bar in place on a TTY and ends it with a newline', () => {
		const out = Object.assign(new PassThrough(), {isTTY: true});
		const printer = createDownloadPrinter(out, {unicode: false});
		printer.update(progressAt(500));
		printer.update(progressAt(2000, 'onnx/model.onnx_data', true));
		const text = String(out.read());
		assert.equal(text.split('\n').length, 2);
		// eslint-disable-next-line no-control-regex -- the erase-to-end-of-line escape is what is tested
		assert.match(text, /^\rdownloading onnx\/model\.onnx_data \(5\/5\) \[######------------------\] 25\.0% 500 B \/ 2\.0 KB · 100 B\/s · ETA 0:15\u001B\[K\rdownloading .+ 100\.0% .+\n$/);
	});

	it('prints plain lines at most every 5 s when not a terminal, plus each new file and the end', () => {
		const out = new PassThrough();
		let clock = 0;
		const printer = createDownloadPrinter(out, {now: () => clock});
		for (const bytes of [100, 200, 300]) {
			printer.update(progressAt(bytes));
			clock += 1000;
		}

		clock += 5000;
		printer.update(progressAt(1500));
		printer.update(progressAt(2000, 'onnx/model.onnx_data', true));
		const lines = String(out.read()).trimEnd().split('\n');
		assert.deepEqual(lines.map(line => /(\d+\.\d)%/.exec(line)?.[1]), ['5.0', '75.0', '100.0']);
		assert.ok(lines.every(line => !line.includes('\r')));
	});
});

describe('qwen3-migrate download', () => {
	it('fetches the dtype\'s files from HF_ENDPOINT into the cache, then check calls the model cached', async () => {
		const {root, hub, cache} = await hubWorkspace();
		try {
			const run = await runCliAsync(['download', '--workspace', root, '--dtype', 'fp16', '--json']);
			assert.equal(run.status, 0, run.stderr);
			const report = JSON.parse(run.stdout) as {status: string; dtype: string; fetched: string[]};
			assert.equal(report.status, 'downloaded');
			assert.deepEqual(report.fetched, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_fp16.onnx', 'onnx/model_fp16.onnx_data']);
			assert.equal(existsSync(path.join(cache, 'onnx/model.onnx')), false, 'no other dtype fetched');
			const again = await runCliAsync(['download', '--workspace', root, '--dtype', 'fp16']);
			assert.match(again.stdout, /is already complete in .+ Nothing was downloaded\./);
			const settings = JSON.parse(readFileSync(path.join(root, 'settings.json'), 'utf8')) as {memory_system: {migration: Record<string, unknown>}};
			settings.memory_system.migration.dtype = 'fp16';
			writeFileSync(path.join(root, 'settings.json'), JSON.stringify(settings));
			const check = JSON.parse((await runCliAsync(['check', '--workspace', root, '--json'])).stdout) as {items: Array<{id: string; status: string; detail: string}>};
			const target = check.items.find(item => item.id === 'model-target')!;
			assert.equal(target.status, 'ok', target.detail);
			assert.match(target.detail, /^cached in .+: onnx\/model_fp16\.onnx \+ onnx\/model_fp16\.onnx_data, /);
		} finally {
			await hub.close();
		}
	});

	it('a file the hub lacks ends the command with exit 1 and one line naming it', async () => {
		const {root, hub} = await hubWorkspace({absent: ['onnx/model_quantized.onnx']});
		try {
			const run = await runCliAsync(['download', '--workspace', root, '--dtype', 'q8']);
			assert.equal(run.status, 1);
			assert.match(run.stderr, /cannot download onnx\/model_quantized\.onnx: http:\S+\/resolve\/main\/onnx\/model_quantized\.onnx answered 404 \(not found\)/);
			assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
		} finally {
			await hub.close();
		}
	});

	it('migrate --no-ui downloads a hub model first and prints the download as plain lines in a log', async () => {
		const {root, hub} = await hubWorkspace();
		try {
			const run = await runCliAsync(['migrate', '--workspace', root, '--no-ui', '--yes']);
			assert.equal(run.status, 0, run.stderr);
			assert.match(run.stdout, /^downloading config\.json \(1\/5\) \[/m);
			assert.match(run.stdout, /^downloading onnx\/model\.onnx_data \(5\/5\) \[[█#]+\] 100\.0% /m);
			assert.match(run.stdout, /Migration complete/);
		} finally {
			await hub.close();
		}
	});

	it('Ctrl+C during the download of a migrate stops it at once: exit 130 within seconds, the .part kept for the next run', {timeout: 60_000}, async () => {
		const {output} = await interruptDuringDownload(['migrate', '--no-ui', '--yes']);
		assert.match(output, /Migration stopped at 0\/0; everything committed is kept/);
	});
});

describe('serve with a model not yet on disk', () => {
	it('downloads it first with progress on stderr, then serves', {timeout: 120_000}, async () => {
		const {root, hub, cache} = await hubWorkspace();
		try {
			const {child, done, output} = startCli(['serve', '--port', '0', '--workspace', root]);
			const deadline = Date.now() + 60_000;
			while (!/serving .+ at http:/.test(output()) && Date.now() < deadline && child.exitCode === null) {
				await new Promise(resolve => setTimeout(resolve, 100));
			}

			child.kill('SIGTERM');
			const run = await done;
			assert.equal(run.status, 0, output());
			assert.match(run.stderr, /^downloading config\.json \(1\/\d\) /m);
			assert.match(run.stderr, /^downloading onnx\/model\.onnx\S* \(\d\/\d\) \[.+\] 100\.0% /m);
			assert.match(run.stdout, /^serving Qwen\/Qwen3-Embedding-0\.6B \(48-d, cpu\) at http:\/\/127\.0\.0\.1:\d+\/v1/m);
			assert.ok(existsSync(path.join(cache, 'config.json')), 'the files went to the cache');
		} finally {
			await hub.close();
		}
	});

	it('Ctrl+C during the download stops at once: exit 130 with how to resume, the .part kept', {timeout: 60_000}, async () => {
		const {stderr} = await interruptDuringDownload(['serve', '--port', '0']);
		assert.match(stderr, /stopped before serving: the model download resumes where it stopped on the next `qwen3-migrate serve`/);
	});
});

describe('check --golden with a model not yet on disk', () => {
	it('downloads it with progress on stderr (none with --json), then runs the golden check', {timeout: 120_000}, async () => {
		const {root, hub, cache} = await hubWorkspace();
		try {
			// --json first, while the cache is empty: the download happens, and says nothing.
			const json = await runCliAsync(['check', '--golden', '--json', '--workspace', root]);
			assert.ok(existsSync(path.join(cache, 'config.json')), 'the files went to the cache');
			assert.equal(json.stderr, '', 'nothing on stderr with --json, though it downloaded');
			assert.ok(JSON.parse(json.stdout), 'stdout is the JSON report');
			rmSync(cache, {recursive: true, force: true});
			const run = await runCliAsync(['check', '--golden', '--workspace', root]);
			assert.match(run.stderr, /^downloading config\.json \(1\/\d\) /m, run.stderr);
			assert.match(run.stderr, /^downloading onnx\/model\.onnx\S* \(\d\/\d\) \[.+\] 100\.0% /m);
			// The demo's weights are not the real Qwen3's: the golden check runs and says so.
			assert.match(run.stdout, /golden check of Qwen\/Qwen3-Embedding-0\.6B \(model card scores\)/);
		} finally {
			await hub.close();
		}
	});

	it('Ctrl+C during that download stops at once: exit 130 with how to resume, the .part kept, no report', {timeout: 60_000}, async () => {
		const {stdout, stderr} = await interruptDuringDownload(['check', '--golden']);
		assert.match(stderr, /stopped during the model download: it resumes where it stopped on the next `qwen3-migrate check --golden`/);
		assert.doesNotMatch(stdout, /Ready to migrate|problems? to fix/, 'a check cut short reports nothing');
	});
});
