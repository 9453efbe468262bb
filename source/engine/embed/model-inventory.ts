/**
 * Which of the files a dtype needs are on disk, whole: the config and tokenizer files, the dtype's
 * graph, and every external-data file that graph names, at least as long as the graph says.
 * `check`, `plan` and the download use it; nothing calls a model "cached" unless it is complete.
 */
import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {expectsExternalData, externalDataFileFor, modelFileForDtype} from './model-files.js';
import {inspectOnnxFile} from './onnx-inspect.js';

export const modelMetadataFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

export type ModelInventory = {
	directory: string;
	dtype: string;
	/** Every file the dtype needs that is known so far (external data once the graph is read). */
	required: string[];
	missing: string[];
	broken: Array<{file: string; problem: string}>;
	/** Bytes of the required files that are present. */
	bytes: number;
};

export function inventoryModelDirectory(directory: string, dtype: string): ModelInventory {
	const graph = modelFileForDtype(dtype);
	const inventory: ModelInventory = {directory, dtype, required: [...modelMetadataFiles, graph], missing: [], broken: [], bytes: 0};
	const size = (file: string) => {
		const full = path.join(directory, file);
		return existsSync(full) ? statSync(full).size : undefined;
	};

	// A download in progress (or interrupted) leaves `<file>.part`: named with its size, not as missing.
	const absent = (file: string, requiredBytes?: number) => {
		const part = size(`${file}.part`);
		if (part === undefined) {
			inventory.missing.push(file);
		} else {
			inventory.broken.push({file, problem: `partly downloaded: ${part}${requiredBytes === undefined ? '' : ` of ${requiredBytes}`} bytes (.part)`});
		}
	};

	for (const file of inventory.required) {
		const bytes = size(file);
		if (bytes === undefined) {
			absent(file);
		} else {
			inventory.bytes += bytes;
		}
	}

	if (size(graph) === undefined) {
		// The graph would name its data file; without it, name the one the real export has.
		if (expectsExternalData(dtype) && size(externalDataFileFor(graph)) === undefined) {
			inventory.required.push(externalDataFileFor(graph));
			absent(externalDataFileFor(graph));
		}

		return inventory;
	}

	const report = inspectOnnxFile(path.join(directory, graph));
	if (!report.ok) {
		inventory.broken.push({file: graph, problem: report.problem});
		return inventory;
	}

	for (const {location, requiredBytes} of report.externalData) {
		const file = path.posix.join(path.posix.dirname(graph), location);
		inventory.required.push(file);
		const bytes = size(file);
		if (bytes === undefined) {
			absent(file, requiredBytes);
		} else if (bytes < requiredBytes) {
			inventory.bytes += bytes;
			inventory.broken.push({file, problem: `truncated: ${bytes} of ${requiredBytes} bytes`});
		} else {
			inventory.bytes += bytes;
		}
	}

	return inventory;
}

export function inventoryComplete(inventory: ModelInventory): boolean {
	return inventory.missing.length === 0 && inventory.broken.length === 0;
}

/** One line naming every missing or broken file, e.g. `missing onnx/model_fp16.onnx_data`. */
export function describeInventoryProblems(inventory: ModelInventory): string {
	return [
		...(inventory.missing.length > 0 ? [`missing ${inventory.missing.join(', ')}`] : []),
		...inventory.broken.map(({file, problem}) => `${file} ${problem}`),
	].join('; ');
}
