/**
 * The guide's log wording. Users grep for these phrases (遷移進度, 成功率, ...), so they are kept
 * verbatim; every log line the engine writes about the migration comes from here, and the
 * diagnosis catalogue recognises its problems by the markers below, so a wording cannot change in
 * one place and silently stop matching in the other.
 */

/** Phrases the diagnosis catalogue looks for in log lines. */
export const logMarkers = {
	gpuOutOfMemory: 'GPU 記憶體不足',
	lowMemory: '可用記憶體不足',
	modelLoadFailed: '模型載入失敗',
	databaseLocked: '資料庫鎖定',
	stuck: '(stuck)',
	diskFull: 'disk full on',
	/** Embedding servers (scale-out): one endpoint taken out of rotation, removed, or rate-limited. */
	endpointTakenOut: '嵌入端點暫停使用',
	endpointRemoved: '嵌入端點已移除',
	endpointRateLimited: '嵌入端點限流',
} as const;

/** Every log line about an embedding endpoint starts with this, so a grep for it finds them all. */
export const endpointLogMarker = '嵌入端點';

const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);

type QualityFigures = {recallAtK: number; meanCosine: number; sampleSize: number; heldOut: number};

const qualityFigures = (quality: QualityFigures) =>
	`recall@10 ${quality.recallAtK.toFixed(3)}, 平均餘弦 ${quality.meanCosine.toFixed(3)} (樣本 ${quality.sampleSize}, 驗證 ${quality.heldOut})`;

const percentOf = (done: number, total: number) => (total === 0 ? 100 : (done / total) * 100);
const progressText = (percent: number) => `遷移進度: ${percent.toFixed(1)}%`;

export const logText = {
	migrationStart: (source: string, target: string) => `開始向量遷移: ${source} -> ${target}`,
	dimensionChange: (from: number, to: number) => `維度變化: ${from} -> ${to}`,
	totalVectors: (count: number) => `總向量數: ${count}`,
	strategy: (name: string) => `遷移策略: ${name}`,
	progress: progressText,
	batchFailed: (offset: number | string, error: string) => `批次遷移失敗 (offset=${offset}): ${error}`,
	gpuOutOfMemory: () => `${logMarkers.gpuOutOfMemory}，切換到 CPU 模式`,
	continueOnCpu: () => '繼續使用 CPU 進行遷移...',
	modelLoadFailed: (error: string) => `${logMarkers.modelLoadFailed}: ${error}`,
	complete: (succeeded: number, total: number) =>
		`向量遷移完成: 成功 ${succeeded}/${total}, 成功率 ${formatSuccessRate(succeeded, total)}%`,
	/** The error that stopped a run, as its own message says it. */
	runFailed: (error: string) => error,
	staleLockCleared: (pid: number) => `清除過期的遷移鎖 (pid ${pid} 已不存在)`,
	blankSkipped: (count: number) => `空白訊息略過: ${count}`,
	retryingFailed: (count: number) => `重試失敗的訊息: ${count}`,
	resumingFromCheckpoint: (phase: string, cursor: number) => `從檢查點繼續遷移 (phase=${phase}, cursor=${cursor})`,
	reusingVerifiedBackups: () => '使用本次遷移已驗證的備份',
	backupMovedAside: (file: string) => `既有備份已移至 ${file}`,
	olderBackupRemoved: (file: string) => `刪除較舊的備份: ${file}`,
	backupDone: (settings: string, database: string, indices: string) => `備份完成: ${settings}, ${database}, ${indices}`,
	messageIdIndexCreated: () => '建立缺少的索引 idx_embeddings_message_id (PigPig 結構的一部分)',
	sampleWritten: (count: number) => `樣本訊息以新模型向量寫入: ${count}`,
	transformQuality: (quality: QualityFigures) => `轉換品質: ${qualityFigures(quality)}`,
	derivedVectorsNotComparable: (strategy: string, quality: QualityFigures) =>
		`${strategy} 產生的向量與新模型的查詢向量不可比較: ${qualityFigures(quality)}；建議使用 regenerate`,
	channelIndexSkipped: (channelId: string, reason: string) => `頻道索引略過 (channel_id=${channelId}): ${reason}`,
	indexesBuilt: (directory: string) => `新索引已建立於 ${directory}`,
	verifyProblem: (problem: string) => `驗證失敗: ${problem}`,
	verifyPassed: (channels: number, vectors: number, size: string) => `驗證通過: ${channels} 個頻道, ${vectors} 個向量 (${size})`,
	cutOverDone: (model: string, profile: string) => `切換完成: settings.json 使用 ${model} (${profile})，索引已更新`,
	truncatedMessages: (maxTokens: number, count: number) => `超過 max_tokens (${maxTokens}) 而截斷的訊息: ${count}`,
	reusedVectors: (count: number) => `重複文字重用向量 (未重新計算): ${count}`,
	paused: (done: number, total: number) => `遷移已暫停於 ${progressText(percentOf(done, total))}；再次執行 migrate 會從檢查點繼續`,
	databaseBusy: (waitMs: number, attempt: number) => `${logMarkers.databaseLocked} (database is locked)，${waitMs} ms 後重試 (第 ${attempt} 次)`,
	batchHalvedOnOom: (from: number, to: number) => `記憶體不足，批次大小減半: ${from} -> ${to}`,
	messageFailed: (messageId: string, error: string) => `訊息向量化失敗，已記錄並略過 (message_id=${messageId}): ${error}`,
	lowMemory: (freeMb: number, thresholdMb: number, from: number, to: number) =>
		`${logMarkers.lowMemory}: ${Math.round(freeMb)} MB < memory_threshold_mb ${thresholdMb} MB，批次大小: ${from} -> ${to}`,
	stalled: (done: number, total: number, idleMs: number) => `${progressText(percentOf(done, total))} ${logMarkers.stuck} — ${Math.round(idleMs / 1000)} s 無進度`,
	/** A lock whose pid is alive but is another process (its start time differs from the lock's). */
	staleLockPidReused: (pid: number) => `清除過期的遷移鎖 (pid ${pid} 已被其他程序重用)`,
	/** A headless run lost its terminal (SIGHUP) and goes on, as under nohup. */
	hangupContinuing: () => '終端已斷線 (SIGHUP)，遷移繼續在背景執行，進度寫入此日誌',
	finalCatchUp: (count: number, channels: number) => `切換前最後追趕: ${count} 則新訊息已向量化並加入 ${channels} 個頻道的新索引`,
	cutOverResumed: () => '偵測到中斷的切換 (cut-over)，繼續完成切換',
	lateMessages: (count: number) => `切換後仍缺少新模型向量的訊息: ${count} (切換期間 bot 寫入)；請重新啟動 bot 後再次執行 migrate`,
	catchingUpLate: (count: number) => `補上切換後寫入的訊息: ${count} 則尚無新模型向量`,
	liveIndexesBehind: (count: number) => `切換後的追趕未完成: ${count} 個新模型向量可能不在使用中的索引，重建索引`,
	endpointTakenOut: (url: string, reason: string, retryInMs: number) => `${logMarkers.endpointTakenOut}: ${url} (${reason})，${seconds(retryInMs)} 秒後重試`,
	endpointBack: (url: string) => `${endpointLogMarker}恢復使用: ${url}`,
	endpointRemoved: (url: string, reason: string) => `${logMarkers.endpointRemoved}: ${url} (${reason})`,
	endpointBatchHalved: (url: string, from: number, to: number) => `${endpointLogMarker}批次減半: ${url} ${from} -> ${to}`,
	endpointRateLimited: (url: string, waitMs: number) => `${logMarkers.endpointRateLimited} (HTTP 429): ${url}，${seconds(waitMs)} 秒後重試`,
	endpointProbeWarning: (url: string, detail: string) => `${endpointLogMarker}檢查警告: ${url}: ${detail}`,
	/** A server refused token ids: texts over max_tokens go whole from now on, and the server truncates them its own way. */
	endpointTokenInputRefused: (url: string, maxTokens: number) =>
		`${endpointLogMarker}不接受 token id 輸入: ${url}；超過 max_tokens (${maxTokens}) 的訊息改送完整文字，由伺服器自行截斷，向量可能與本機不同`,
} as const;

/** Two decimals, never rounding a partial success up to 100.00%. */
export function formatSuccessRate(succeeded: number, total: number): string {
	if (total === 0) {
		return '100.00';
	}

	const rate = Math.floor((succeeded / total) * 10_000) / 100;
	return rate.toFixed(2);
}
