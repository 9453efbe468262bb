/** Runs a migration without the dashboard (`migrate --no-ui`, `demo` without a terminal). */
import {exitCodes} from '../../engine/errors.js';
import {logText} from '../../engine/log/messages.js';
import {attachToLiveRun, serveRunControl} from '../../engine/control/serve.js';
import type {Migration, MigrationOutcome} from '../../engine/migration/migration.js';
import type {CommandContext} from './define-command.js';
import {detectCapabilities} from '../../ui/terminal.js';
import {attachDownloadPrinter} from './download-printer.js';
import {attachProgressPrinter} from './progress-printer.js';

function describeOutcome(outcome: MigrationOutcome): string {
	switch (outcome.status) {
		case 'done': {
			const lines = [
				`Migration complete: ${outcome.succeeded}/${outcome.total} messages have new vectors (${outcome.failed} failed, ${outcome.blank} blank skipped, ${outcome.truncated} truncated, ${outcome.reused} reused from identical texts) in ${outcome.seconds.toFixed(1)} s.`,
				'settings.json and the indexes now use the new model; restart the bot to load them.',
				`Log: ${outcome.logFile}`,
			];
			if (outcome.failed > 0) {
				lines.push('Failed messages are listed by `qwen3-migrate verify`; retry them with `qwen3-migrate migrate --retry-failed`.');
			}

			if (outcome.logIncomplete) {
				lines.push(`Warning: ${outcome.logIncomplete}.`);
			}

			if ((outcome.late ?? 0) > 0) {
				lines.push(`${outcome.late} messages the bot stored after the switch have no new vector yet: restart the bot, then run \`qwen3-migrate migrate\` again to embed them.`);
			}

			return lines.join('\n');
		}

		case 'aborted': {
			return `Migration stopped at ${outcome.done}/${outcome.total}; everything committed is kept. Run \`qwen3-migrate migrate\` again to resume.\nLog: ${outcome.logFile}`;
		}

		case 'noop': {
			return outcome.message;
		}
	}
}

function exitCodeFor(outcome: MigrationOutcome): number {
	if (outcome.status === 'aborted') {
		return exitCodes.aborted;
	}

	return outcome.status === 'done' && (outcome.failed > 0 || outcome.logIncomplete) ? exitCodes.problems : exitCodes.ok;
}

/**
 * Serves the run's control channel once the run holds the lock (so any login can attach a
 * dashboard); never before, because a run refused at preflight must write nothing.
 */
function serveControlOnStart(migration: Migration, lockFile: string | undefined): () => Promise<void> {
	let closing: Promise<() => Promise<void>> | undefined;
	const unsubscribe = lockFile
		? migration.events.on('run:start', () => {
			closing ??= serveRunControl(lockFile, migration);
		})
		: () => false;
	return async () => {
		unsubscribe();
		await (await closing)?.();
	};
}

/**
 * `migrate --no-ui` on a workspace whose run another process owns: the same progress lines, from
 * that run's control channel, until it ends (Ctrl+C leaves it running). undefined: no live run.
 */
export async function followLiveRun(lockFile: string, context: CommandContext): Promise<number | undefined> {
	const client = await attachToLiveRun(lockFile, {readOnly: true});
	if (!client) {
		return undefined;
	}

	context.stderr.write('A migration is already running in another process; following its progress (Ctrl+C stops following, the run goes on).\n');
	const stopPrinter = attachProgressPrinter(client.events, context.stdout);
	await new Promise<void>(resolve => {
		client.onClose(resolve);
		context.signal.addEventListener('abort', () => {
			client.close();
			resolve();
		}, {once: true});
	});
	stopPrinter();
	return exitCodes.ok;
}

/** Runs a migration without the dashboard: progress lines, Ctrl+C to stop cleanly, a summary. */
export async function runHeadless(migration: Migration, context: CommandContext, json: boolean, lockFile?: string): Promise<number> {
	const stopProgress = json ? () => undefined : attachProgressPrinter(migration.events, context.stdout);
	// The target model's download (before the run starts): a bar on a terminal, plain lines in logs.
	const stopDownload = json ? () => undefined : attachDownloadPrinter(migration.events, context.stdout, detectCapabilities(context.env).unicode);
	const stopPrinter = () => {
		stopDownload();
		stopProgress();
	};

	const closeControl = serveControlOnStart(migration, lockFile);
	const onAbort = () => {
		context.stderr.write('\nStopping after the batch in flight (Ctrl+C again to force)...\n');
		migration.control.abort();
		process.once('SIGINT', () => process.exit(exitCodes.aborted));
	};

	context.signal.addEventListener('abort', onAbort, {once: true});
	let hungUp = false;
	// The terminal went away (SSH dropped): go on as under nohup. Progress goes to the log file only,
	// and writes to the dead terminal (EIO, EPIPE) are dropped instead of ending the process.
	const onHangup = () => {
		hungUp = true;
		stopPrinter();
		for (const stream of [process.stdout, process.stderr]) {
			stream.on('error', () => undefined);
		}

		migration.note('WARNING', logText.hangupContinuing());
	};

	process.on('SIGHUP', onHangup);
	try {
		const outcome = await migration.run();
		stopPrinter();
		writeIfAttached(hungUp, context, json ? `${JSON.stringify(outcome, undefined, 2)}\n` : `${describeOutcome(outcome)}\n`);
		return exitCodeFor(outcome);
	} finally {
		stopPrinter();
		await closeControl();
		process.off('SIGHUP', onHangup);
		context.signal.removeEventListener('abort', onAbort);
	}
}

/** The summary, unless the terminal is gone (the log holds the result then). */
function writeIfAttached(hungUp: boolean, context: CommandContext, text: string): void {
	if (!hungUp) {
		context.stdout.write(text);
	}
}
