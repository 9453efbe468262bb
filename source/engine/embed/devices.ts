/** Which execution providers onnxruntime-node can actually use on this machine. */
import {existsSync, readdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
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

/** fp16 on CUDA (the Qwen3 ONNX export runs GroupQueryAttention best there), fp32 on CPU. */
export function resolveDtype(requested: string, device: Device): string {
	if (requested !== 'auto') {
		return requested;
	}

	return device === 'cuda' ? 'fp16' : 'fp32';
}
