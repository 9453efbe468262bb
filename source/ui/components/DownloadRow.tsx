/** The model download in the progress panel's bar row: which file, a bar over all bytes, bytes, speed. */
import type {DownloadProgress} from '../../engine/embed/download.js';
import {formatBytes} from '../../engine/util/disk.js';
import {percentOf} from '../../engine/util/rate.js';
import {gauge} from '../format.js';
import {Line} from './Panel.js';
import type {Theme} from './theme.js';

/** The text after the bar: `45.2% 1.0 GB/2.3 GB 12.0 MB/s model.onnx_data (5/5)` (the file's base name: the row is narrow). */
export function downloadDetail(progress: DownloadProgress): string {
	const speed = progress.bytesPerSecond === undefined ? '' : ` ${formatBytes(progress.bytesPerSecond)}/s`;
	return `${percentOf(progress.bytes, progress.totalBytes).toFixed(1)}% ${formatBytes(progress.bytes)}/${formatBytes(progress.totalBytes)}${speed} ${progress.file.split('/').at(-1)!} (${progress.fileIndex}/${progress.files})`;
}

export function DownloadRow({progress, width, theme}: {progress: DownloadProgress; width: number; theme: Theme}) {
	const label = `${theme.strings.downloading} `;
	const detail = ` ${downloadDetail(progress)}`;
	const barWidth = Math.max(6, width - label.length - detail.length);
	return (
		<Line theme={theme} color="cyan">
			{`${label}${gauge(percentOf(progress.bytes, progress.totalBytes), barWidth, theme.unicode)}${detail}`}
		</Line>
	);
}
