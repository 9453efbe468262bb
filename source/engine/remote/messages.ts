/**
 * Log lines about embedding endpoints, in the guide's language and shape, so they sit beside the
 * migration's own lines (`批次遷移失敗 ...`) and a grep for `嵌入端點` finds every one of them.
 */
export const endpointLogMarker = '嵌入端點';

const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);

export const endpointLogText = {
	takenOut: (url: string, reason: string, retryInMs: number) => `${endpointLogMarker}暫停使用: ${url} (${reason})，${seconds(retryInMs)} 秒後重試`,
	back: (url: string) => `${endpointLogMarker}恢復使用: ${url}`,
	removed: (url: string, reason: string) => `${endpointLogMarker}已移除: ${url} (${reason})`,
	batchHalved: (url: string, from: number, to: number) => `${endpointLogMarker}批次減半: ${url} ${from} -> ${to}`,
	rateLimited: (url: string, waitMs: number) => `${endpointLogMarker}限流 (HTTP 429): ${url}，${seconds(waitMs)} 秒後重試`,
	probeWarning: (url: string, detail: string) => `${endpointLogMarker}檢查警告: ${url}: ${detail}`,
	probed: (url: string, model: string, dimension: number, latencyMs: number) => `${endpointLogMarker}檢查通過: ${url} (${model}, ${dimension} 維, ${Math.round(latencyMs)} ms)`,
} as const;
