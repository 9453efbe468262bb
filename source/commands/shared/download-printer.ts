/**
 * A model download in the terminal: one progress bar redrawn in place on a TTY, plain lines at
 * most every few seconds otherwise (logs, nohup), plus a line when each file starts and at the end.
 */
import type {Writable} from 'node:stream';
import type {DownloadProgress} from '../../engine/embed/download.js';
import {formatDuration, percentOf} from '../../engine/util/rate.js';
import {formatBytes} from '../../engine/util/disk.js';

const barWidth = 24;
const plainIntervalMs = 5000;

export function formatDownloadLine(progress: DownloadProgress, unicode = true): string {
	const percent = percentOf(progress.bytes, progress.totalBytes);
	const filled = Math.round((percent / 100) * barWidth);
	const bar = unicode ? `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}` : `${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}`;
	const rate = progress.bytesPerSecond === undefined ? '' : ` · ${formatBytes(progress.bytesPerSecond)}/s · ETA ${formatDuration((progress.totalBytes - progress.bytes) / Math.max(1, progress.bytesPerSecond))}`;
	return `downloading ${progress.file} (${progress.fileIndex}/${progress.files}) [${bar}] ${percent.toFixed(1)}% ${formatBytes(progress.bytes)} / ${formatBytes(progress.totalBytes)}${rate}`;
}

export type DownloadPrinter = {update: (progress: DownloadProgress) => void; stop: () => void};

export function createDownloadPrinter(out: Writable & {isTTY?: boolean}, options: {unicode?: boolean; now?: () => number} = {}): DownloadPrinter {
	const now = options.now ?? Date.now;
	const tty = out.isTTY === true;
	let lastPrinted = Number.NEGATIVE_INFINITY;
	let lastFile = '';
	let open = false;
	const finishLine = () => {
		if (open) {
			out.write('\n');
			open = false;
		}
	};

	return {
		update(progress) {
			const line = formatDownloadLine(progress, options.unicode);
			if (tty) {
				out.write(`\r${line}\u001B[K`);
				open = true;
				if (progress.done) {
					finishLine();
				}

				return;
			}

			if (progress.done || progress.file !== lastFile || now() - lastPrinted >= plainIntervalMs) {
				out.write(`${line}\n`);
				lastPrinted = now();
				lastFile = progress.file;
			}
		},
		stop: finishLine,
	};
}

/** Prints a run's `model:download:progress` events; returns the unsubscribe. */
export function attachDownloadPrinter(events: {on: (name: 'model:download:progress', listener: (progress: DownloadProgress) => void) => () => void}, out: Writable & {isTTY?: boolean}, unicode = true): () => void {
	const printer = createDownloadPrinter(out, {unicode});
	const unsubscribe = events.on('model:download:progress', progress => printer.update(progress));
	return () => {
		unsubscribe();
		printer.stop();
	};
}
