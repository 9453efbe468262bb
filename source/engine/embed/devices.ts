/** Which execution providers onnxruntime-node can actually use on this machine. */
import {existsSync, readdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {modelFileForDtype} from './model-files.js';
import type {Device} from './protocol.js';

const require = createRequire(import.meta.url);

/** The directory holding onnxruntime-node's native binding and provider libraries. */
export function onnxruntimeBinaryDir(): string | undefined {
	try {
		const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
		const bin = path.join(root, 'bin');
		const napi = readdirSync(bin).find(name => name.startsWith('napi-'));
		return napi ? path.join(bin, napi, process.platform, process.arch) : undefined;
	} catch {
		return undefined;
	}
}

export type CudaStatus = {available: true} | {available: false; reason: string};

/** CUDA needs the provider library that ONNXRUNTIME_NODE_INSTALL=cuda12 downloads. */
export function cudaStatus(): CudaStatus {
	const dir = onnxruntimeBinaryDir();
	if (!dir) {
		return {available: false, reason: 'onnxruntime-node binary directory not found'};
	}

	if (!existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so'))) {
		return {available: false, reason: 'onnxruntime-node has no CUDA provider (reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12)'};
	}

	return {available: true};
}

export function resolveDevice(requested: 'auto' | Device, cpuOnlyMode = false): Device {
	if (cpuOnlyMode || requested === 'cpu') {
		return 'cpu';
	}

	if (requested === 'cuda') {
		return 'cuda';
	}

	return cudaStatus().available ? 'cuda' : 'cpu';
}

/**
 * 'auto': fp16 on CUDA (the Qwen3 ONNX export runs GroupQueryAttention best there), fp32 on the
 * CPU. q8 is 2.8x faster on the CPU (README, "Real-size model") but it quantises activations over
 * the whole batch, so a text's vector moves with its batch-mates (min cosine 0.9965 alone vs in a
 * batch) and no longer equals the one the bot computes: DESIGN's contract is that a vector must
 * not depend on its batch, and the model card's golden scores need fp32. q8 stays one setting away
 * (migration.dtype: q8). A directory that holds only the q8 graph (downloaded that way) loads q8
 * rather than failing or fetching 2.3 GB of fp32 weights.
 */
export function resolveDtype(requested: string, device: Device, directory?: string): string {
	if (requested !== 'auto') {
		return requested;
	}

	if (device === 'cuda') {
		return 'fp16';
	}

	const onDisk = (dtype: string) => directory !== undefined && existsSync(path.join(directory, modelFileForDtype(dtype)));
	return onDisk('q8') && !onDisk('fp32') ? 'q8' : 'fp32';
}
