/** The headless view of a migration: at most one progress line a second, plus notable events. */
import type {Writable} from 'node:stream';
import type {MigrationEvents, ProgressSnapshot} from '../../engine/migration/events.js';
import {formatDuration, percentOf, RateMeter} from '../../engine/util/rate.js';

export function formatProgressLine(progress: ProgressSnapshot, rate: number | undefined, eta: number | undefined): string {
	const percent = percentOf(progress.done, progress.total).toFixed(1);
	const rateText = rate === undefined ? '— vec/s' : `${rate.toFixed(rate < 10 ? 1 : 0)} vec/s`;
	const failed = progress.failed > 0 ? ` · failed ${progress.failed}` : '';
	return `[${progress.phase}] ${progress.done}/${progress.total} (${percent}%) · ${rateText} · ETA ${formatDuration(eta)} · batch ${progress.batchSize} · ${progress.device}${failed}`;
}

export function attachProgressPrinter(events: MigrationEvents, out: Writable, now: () => number = Date.now): () => void {
	const meter = new RateMeter();
	let lastPrinted = Number.NEGATIVE_INFINITY;
	let lastLine = '';
	let latest: ProgressSnapshot | undefined;
	const print = () => {
		const line = latest ? formatProgressLine(latest, meter.rate(), meter.eta(latest.total - latest.done - latest.failed)) : '';
		if (line && line !== lastLine) {
			out.write(`${line}\n`);
			lastLine = line;
			lastPrinted = now();
		}
	};

	const unsubscribe = [
		events.on('progress', progress => {
			const phaseChanged = latest?.phase !== progress.phase;
			latest = progress;
			meter.add(now(), progress.done);
			if (phaseChanged || now() - lastPrinted >= 1000) {
				print();
			}
		}),
		events.on('batch:size:change', ({from, to, reason}) => out.write(`batch size ${from} -> ${to} (${reason})\n`)),
		events.on('device:change', ({from, to, reason}) => out.write(`device ${from} -> ${to} (${reason})\n`)),
		events.on('failure:record', ({messageId, error}) => out.write(`failed: message ${messageId}: ${error}\n`)),
		events.on('run:stall', ({idleMs}) => out.write(`warning: no progress for ${Math.round(idleMs / 1000)} s\n`)),
		events.on('db:busy', ({attempt, waitMs}) => out.write(`database is locked; retry ${attempt} in ${waitMs} ms\n`)),
	];
	let stopped = false;
	return () => {
		if (!stopped) {
			stopped = true;
			print();
			for (const stop of unsubscribe) {
				stop();
			}
		}
	};
}
