/** `qwen3-migrate check` (the guide's `--check-only`): is this machine and workspace ready? */
import path from 'node:path';
import type {DownloadProgress} from '../engine/embed/download.js';
import {exitCodes} from '../engine/errors.js';
import {runCheck, type CheckReport} from '../engine/ops/check.js';
import {workspacePathsLenient} from '../engine/workspace.js';
import {exitCodeForItems, formatItem} from '../engine/ops/report.js';
import {detectCapabilities} from '../ui/terminal.js';
import {defineCommand} from './shared/define-command.js';
import {createDownloadPrinter} from './shared/download-printer.js';
import {endpointFlags, outputFlags, rejectArguments, remoteFlagValues, workspaceFlag} from './shared/flags.js';

export const checkCommand = defineCommand({
	name: 'check',
	summary: 'Diagnose the workspace and the machine before (or after) a migration',
	usage: ['qwen3-migrate check [--workspace DIR] [--json]', 'qwen3-migrate --check-only                       (the guide\'s spelling)'],
	description: `
One line per item, ✅ / ⚠️ / ❌, each problem with its fix: settings valid; the database exists,
is readable, passes quick_check and has the PigPig tables; vectors per model and dimension; the
processes that have the database open (listed, never killed); better-sqlite3, faiss-node and
onnxruntime-node load (versions, execution providers); the source and target models can be had
(local directory, cache, or the hub / HF_ENDPOINT); GPU and the CUDA provider; available RAM
(warns under 4 GB); free disk against what a migration needs; Node.js; a running migration.
It changes nothing.`,
	flags: {...workspaceFlag, golden: {type: 'boolean', default: false, description: 'Also embed the model card\'s queries and documents and compare the scores with the card\'s\n(tells the real Qwen3-Embedding-0.6B weights from anything else)'}, ...endpointFlags, ...outputFlags},
	notes: 'Exit codes: 0 no failures (warnings allowed), 1 something failed, 2 usage error, 130 stopped by Ctrl+C.',
	examples: ['qwen3-migrate check --workspace /srv/pigpig', 'qwen3-migrate check --json | jq \'.items[] | select(.status != "ok")\''],
	async run({input, flags}, context) {
		rejectArguments(input);

		// --golden may download the target model first: its progress goes to stderr (not with --json).
		const printer = flags.json ? undefined : createDownloadPrinter(context.stderr, {unicode: detectCapabilities(context.env).unicode});
		let downloading = false;
		const onDownload = (progress: DownloadProgress) => {
			downloading = !progress.done;
			printer?.update(progress);
		};

		// Ctrl+C: no report from a check cut short, and where a download stopped, how it resumes.
		const stopped = () => {
			printer?.stop();
			context.stderr.write(downloading ? 'stopped during the model download: it resumes where it stopped on the next `qwen3-migrate check --golden` (or `download`)\n' : 'stopped before the check finished (Ctrl+C); it changes nothing\n');
			return exitCodes.aborted;
		};

		let report: CheckReport;
		try {
			report = await runCheck(workspacePathsLenient(path.resolve(context.cwd, flags.workspace)), {env: context.env, golden: flags.golden, onDownload, signal: context.signal, ...remoteFlagValues(flags)});
		} catch (error) {
			if (!context.signal.aborted) {
				throw error;
			}

			return stopped();
		} finally {
			printer?.stop();
		}

		if (context.signal.aborted) {
			return stopped();
		}

		if (flags.json) {
			context.stdout.write(`${JSON.stringify(report, undefined, 2)}\n`);
		} else {
			const {unicode} = detectCapabilities(context.env);
			context.stdout.write(`Checking ${report.workspace}\n${report.items.map(item => formatItem(item, unicode)).join('\n')}\n`);
			const failures = report.items.filter(item => item.status === 'fail').length;
			const warnings = report.items.filter(item => item.status === 'warn').length;
			context.stdout.write(failures === 0 ? `\nReady to migrate${warnings > 0 ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}.\n` : `\n${failures} problem${failures > 1 ? 's' : ''} to fix first.\n`);
		}

		return exitCodeForItems(report.items);
	},
});
