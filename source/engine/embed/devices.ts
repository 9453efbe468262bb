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
 * 'auto': fp16 on CUDA (the Qwen3 ONNX export runs GroupQueryAttention best there). On the CPU q8:
 * on the full-size stand-in it runs several times fp32's tokens/s at a cosine to fp32 above 0.99
 * (README, "Real-size model"), and its single file is a quarter of fp32's download. A model
 * directory that holds fp32 weights and no q8 graph (weights downloaded or generated in fp32
 * only) loads in fp32 rather than failing or downloading again.
 */
export function resolveDtype(requested: string, device: Device, directory?: string): string {
	if (requested !== 'auto') {
		return requested;
	}

	if (device === 'cuda') {
		return 'fp16';
	}

	const onDisk = (dtype: string) => directory !== undefined && existsSync(path.join(directory, modelFileForDtype(dtype)));
	return onDisk('fp32') && !onDisk('q8') ? 'fp32' : 'q8';
}
