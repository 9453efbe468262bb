/** `qwen3-migrate bundle`: everything support needs, in one .tar.gz, secrets redacted. */
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {UsageError} from '../engine/errors.js';
import {formatFileStamp} from '../engine/log/format.js';
import {buildSupportBundle} from '../engine/ops/bundle.js';
import {workspacePathsLenient} from '../engine/workspace.js';
import {defineCommand} from './shared/define-command.js';
import {outputFlags, rejectArguments, workspaceFlag} from './shared/flags.js';

export const bundleCommand = defineCommand({
	name: 'bundle',
	summary: 'Collect a support bundle (.tar.gz): versions, redacted settings, log tail, check and verify',
	usage: ['qwen3-migrate bundle [--workspace DIR] [--out FILE]'],
	description: `
The guide's support list in one archive: OS, Node, npm and package versions; settings.json with
the value of every key matching token|key|secret|password|webhook replaced by [REDACTED]; the
last 200 log lines; \`check --json\` and \`verify --json\`; memory and disk figures.`,
	flags: {
		...workspaceFlag,
		out: {type: 'string', valueName: 'FILE', description: 'Where to write it (default: qwen3-migrate-support-YYYYMMDD_HHMMSS.tar.gz here)'},
		...outputFlags,
	},
	examples: ['qwen3-migrate bundle --workspace /srv/pigpig --out /tmp/support.tar.gz'],
	async run({input, flags}, context) {
		rejectArguments(input);

		const root = path.resolve(context.cwd, flags.workspace);
		const out = path.resolve(context.cwd, flags.out ?? `qwen3-migrate-support-${formatFileStamp(new Date())}.tar.gz`);
		const {archive, files} = await buildSupportBundle(workspacePathsLenient(root), {env: context.env});
		try {
			writeFileSync(out, archive);
		} catch (error) {
			const reason = error instanceof Error ? ('code' in error && typeof error.code === 'string' ? error.code : error.message) : String(error);
			throw new UsageError(`cannot write ${out}: ${reason}`, 'pass --out with a writable path');
		}

		context.stdout.write(flags.json ? `${JSON.stringify({out, bytes: archive.length, files})}\n` : `Support bundle written: ${out} (${files.join(', ')})\n`);
		return 0;
	},
});
