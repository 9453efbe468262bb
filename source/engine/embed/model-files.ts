/**
 * Which files a dtype needs, named as the real ONNX exports name them (onnx-community and Xenova
 * repositories, transformers.js' dtype suffixes): `onnx/model{suffix}.onnx`, plus its external
 * weights `onnx/model{suffix}.onnx_data` where the export keeps them outside the graph (fp32 and
 * fp16 of Qwen3-Embedding-0.6B: the graph alone would pass the 2 GB protobuf limit).
 */

/** transformers.js' DEFAULT_DTYPE_SUFFIX_MAPPING for the dtypes the real exports ship. */
export const dtypeFileSuffixes = {
	fp32: '',
	fp16: '_fp16',
	q8: '_quantized',
	int8: '_int8',
	uint8: '_uint8',
	q4: '_q4',
	q4f16: '_q4f16',
	bnb4: '_bnb4',
} as const;

export type ModelDtype = keyof typeof dtypeFileSuffixes;

export function isModelDtype(dtype: string): dtype is ModelDtype {
	return Object.hasOwn(dtypeFileSuffixes, dtype);
}

/** The graph file for a dtype, relative to the model directory (e.g. `onnx/model_fp16.onnx`). */
export function modelFileForDtype(dtype: string): string {
	const suffix = isModelDtype(dtype) ? dtypeFileSuffixes[dtype] : `_${dtype}`;
	return `onnx/model${suffix}.onnx`;
}

/** The external-data file beside a graph file (ONNX's convention, which transformers.js follows). */
export function externalDataFileFor(modelFile: string): string {
	return `${modelFile}_data`;
}

/**
 * Whether the dtype's graph keeps its weights in `<file>_data` in the real Qwen3 export. Used for
 * downloads, where the repository cannot be listed cheaply; a local directory is read instead
 * (the graph names its external files).
 */
export function expectsExternalData(dtype: string): boolean {
	return dtype === 'fp32' || dtype === 'fp16';
}

/** The `fix:` line of a model-load error, naming the file this dtype actually needs. */
export function modelLoadFixes(dtype: string): string {
	const file = modelFileForDtype(dtype);
	const data = expectsExternalData(dtype) ? ` and ${externalDataFileFor(file)}` : '';
	return (
		'fixes: (1) use a mirror: export HF_ENDPOINT=https://hf-mirror.com; ' +
		"(2) download the repository's files by hand into the cache directory named above; " +
		`(3) point memory_system.migration.target_model_path at a local directory with config.json, tokenizer.json and ${file}${data} (dtype ${dtype})`
	);
}
