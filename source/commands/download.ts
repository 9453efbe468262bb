/** `qwen3-migrate download`: fetch the model's files for the chosen dtype now, without migrating. */
import path from 'node:path';
import {dtypeNames} from '../engine/settings/schema.js';
import {fetchModelFiles, type ModelFetchReport} from '../engine/ops/model-availability.js';
import {exitCodes} from '../engine/errors.js';
import {formatBytes} from '../engine/util/disk.js';
import {openWorkspace} from '../engine/workspace.js';
import {detectCapabilities} from '../ui/terminal.js';
import {defineCommand} from './shared/define-command.js';
import {createDownloadPrinter} from './shared/download-printer.js';
import {outputFlags, rejectArguments, workspaceFlag} from './shared/flags.js';

function describe(report: ModelFetchReport): string {
	const what = `${report.model} (dtype ${report.dtype})`;
	switch (report.status) {
		case 'local': {
			return `${what} is complete in the ${report.from}: ${report.files.join(', ')} (${formatBytes(report.bytes)}). Nothing to download.`;
		}

		case 'cached': {
			return `${what} is already complete in ${report.directory}: ${report.files.join(', ')}. Nothing was downloaded.`;
		}

		case 'downloaded': {
			return `Downloaded ${report.fetched.join(', ')} (${formatBytes(report.bytes)}) from ${report.from}.\n${what} is complete in ${report.directory}; runs load it from there without the network.`;
		}
	}
}

export const downloadCommand = defineCommand({
	name: 'download',
	summary: 'Download the model files the chosen dtype needs (resumable, sizes checked), without migrating',
	usage: ['qwen3-migrate download [--workspace DIR] [--dtype DTYPE] [--model target|source] [--json]'],
	description: `
Fetches exactly what the dtype needs into the model cache (memory_system.migration.model_cache_dir,
default data/memory/models) in the layout the loader reads: config.json, tokenizer.json,
tokenizer_config.json, onnx/model{suffix}.onnx and its onnx/model{suffix}.onnx_data when the hub
has one (fp32 and fp16 of Qwen3-Embedding-0.6B). Files already whole are not fetched again. A file
arrives as <file>.part and is renamed only when its size matches the hub's (x-linked-size or
Content-Length); an interrupted download resumes from the .part with a Range request. The hub is
huggingface.co unless HF_ENDPOINT (or migration.hf_endpoint) names a mirror.
migrate downloads missing files itself; this command does it ahead of time (e.g. before going offline).`,
	flags: {
		...workspaceFlag,
		dtype: {type: 'string', valueName: 'DTYPE', choices: dtypeNames, description: `The weights to fetch (default: migration.dtype; auto = fp16 on CUDA, else fp32)\none of ${dtypeNames.join(', ')}`},
		model: {type: 'string', valueName: 'WHICH', choices: ['target', 'source'], default: 'target', description: 'target (migration.target_model) or source (embedding_model, the old model). Default: target'},
		...outputFlags,
	},
	notes: 'Exit codes: 0 complete, 1 download failed (the one-line error names the file; run again to resume), 2 usage or configuration error, 130 interrupted (run again to resume).',
	examples: ['qwen3-migrate download --workspace /srv/pigpig', 'HF_ENDPOINT=https://hf-mirror.com qwen3-migrate download --dtype q8', 'qwen3-migrate download --json | jq .fetched'],
	async run({input, flags}, context) {
		rejectArguments(input);
		const {memory, paths} = openWorkspace(path.resolve(context.cwd, flags.workspace));
		const printer = flags.json ? undefined : createDownloadPrinter(context.stdout, {unicode: detectCapabilities(context.env).unicode});
		let report: ModelFetchReport;
		try {
			report = await fetchModelFiles(paths.root, memory, {which: flags.model, dtype: flags.dtype, env: context.env, signal: context.signal, onProgress: progress => printer?.update(progress)});
		} catch (error) {
			printer?.stop();
			if (context.signal.aborted) {
				context.stderr.write('Download stopped; the partial file is kept. Run `qwen3-migrate download` again to resume.\n');
				return exitCodes.aborted;
			}

			throw error;
		}

		printer?.stop();
		context.stdout.write(flags.json ? `${JSON.stringify(report, undefined, 2)}\n` : `${describe(report)}\n`);
		return exitCodes.ok;
	},
});
