/**
 * The guide's log wording. Users grep for these phrases (遷移進度, 成功率, ...), so they are kept
 * verbatim; every log line the engine writes about the migration comes from here.
 */

export const logText = {
	migrationStart: (source: string, target: string) => `開始向量遷移: ${source} -> ${target}`,
	dimensionChange: (from: number, to: number) => `維度變化: ${from} -> ${to}`,
	totalVectors: (count: number) => `總向量數: ${count}`,
	strategy: (name: string) => `遷移策略: ${name}`,
	progress: (percent: number) => `遷移進度: ${percent.toFixed(1)}%`,
	batchFailed: (offset: number | string, error: string) => `批次遷移失敗 (offset=${offset}): ${error}`,
	gpuOutOfMemory: () => 'GPU 記憶體不足，切換到 CPU 模式',
	continueOnCpu: () => '繼續使用 CPU 進行遷移...',
	modelLoadFailed: (error: string) => `模型載入失敗: ${error}`,
	complete: (succeeded: number, total: number) =>
		`向量遷移完成: 成功 ${succeeded}/${total}, 成功率 ${formatSuccessRate(succeeded, total)}%`,
} as const;

/** Two decimals, never rounding a partial success up to 100.00%. */
export function formatSuccessRate(succeeded: number, total: number): string {
	if (total === 0) {
		return '100.00';
	}

	const rate = Math.floor((succeeded / total) * 10_000) / 100;
	return rate.toFixed(2);
}
