/** Disk figures shared by preflight, the resource monitor and reports: free space and sizes for people. */
import {statfsSync} from 'node:fs';

export function freeDiskBytes(directory: string): number {
	const stats = statfsSync(directory);
	return stats.bavail * stats.bsize;
}

export const formatBytes = (bytes: number) => {
	const units = ['B', 'KB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
};
