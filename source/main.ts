/** Picks the subcommand, parses its flags, runs it, and turns errors into one line. */
import process from 'node:process';
import meow from 'meow';
import {findCommand, commands, guideFlagAliases} from './commands/registry.js';
import type {CommandContext} from './commands/shared/define-command.js';
import {openDashboard} from './commands/shared/open-dashboard.js';
import {reportError} from './commands/shared/report-error.js';
import {UsageError} from './engine/errors.js';

const topHelp = `
Usage
  $ qwen3-migrate <command> [options]

Migrates a PigPig bot's long-term memory (SQLite + per-channel FAISS indexes) from the old
sentence-embedding model to Qwen3-Embedding-0.6B: resumable, with backups and rollback.

Commands
${commands.map(command => `  ${command.name.padEnd(10)} ${command.summary}`).join('\n')}

The troubleshooting guide's flags work too: --migrate, --check-only, --dry-run, --verify.
Run \`qwen3-migrate <command> --help\` for a command's options and examples.

Examples
  $ qwen3-migrate demo /tmp/ws --no-ui
`;

/** Rewrites `--migrate --batch-size=10` (the guide's spelling) to `migrate --batch-size=10`. */
export function normalizeArguments(argv: string[]): string[] {
	// Own keys only: `toString` is not one of the guide's flags.
	const aliasIndex = argv.findIndex(argument => Object.hasOwn(guideFlagAliases, argument));
	const command = guideFlagAliases[argv[aliasIndex] ?? ''];
	if (!command || (argv[0] && !argv[0].startsWith('-') && findCommand(argv[0]))) {
		return argv;
	}

	return [command, ...argv.filter((_argument, index) => index !== aliasIndex)];
}

async function main(): Promise<number> {
	const argv = normalizeArguments(process.argv.slice(2));
	const debug = argv.includes('--debug');
	const controller = new AbortController();
	const onSignal = () => controller.abort(new Error('interrupted'));
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	// Once the command returns, a signal must end the process again: a listener left installed
	// would swallow SIGTERM while some straggling handle kept the event loop alive.
	const removeSignalListeners = () => {
		process.removeListener('SIGINT', onSignal);
		process.removeListener('SIGTERM', onSignal);
	};
	const context: CommandContext = {
		stdout: process.stdout,
		stderr: process.stderr,
		env: process.env,
		cwd: process.cwd(),
		interactive: Boolean(process.stdout.isTTY && process.stdin.isTTY),
		signal: controller.signal,
	};

	try {
		const [name, ...rest] = argv;
		if (!name && context.interactive) {
			return await openDashboard({root: context.cwd, startImmediately: false, readOnly: false}, context);
		}

		if (!name || name === '--help' || name === '-h' || name === 'help') {
			context.stdout.write(`${topHelp.trim()}\n`);
			return 0;
		}

		if (name === '--version' || name === '-v') {
			const cli = meow({importMeta: import.meta, argv: [], autoHelp: false, autoVersion: false});
			context.stdout.write(`${cli.pkg.version ?? 'unknown'}\n`);
			return 0;
		}

		const command = findCommand(name);
		if (!command) {
			throw new UsageError(`unknown command "${name}"`, `run \`qwen3-migrate --help\` to list the commands`);
		}

		if (rest.includes('--help') || rest.includes('-h')) {
			context.stdout.write(`${command.help.trim()}\n`);
			return 0;
		}

		return await command.run(rest, context);
	} catch (error) {
		return reportError(error, context.stderr, debug);
	} finally {
		removeSignalListeners();
	}
}

export async function run(): Promise<number> {
	return main();
}
