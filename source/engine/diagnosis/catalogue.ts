/**
 * The troubleshooting guide's catalogue of problems: how each is recognised in log lines and error
 * messages, what it means, and how it is fixed — with the dashboard's hotkeys and the command-line
 * equivalents. The dashboard, `logs` and `check` all read it from here. Signatures that recognise
 * the engine's own log lines are built from log/messages.ts's markers, so they cannot drift apart.
 */
import {logMarkers, logText} from '../log/messages.js';

/** A marker as a regular expression that matches it literally. */
const literally = (marker: string) => marker.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type ProblemId =
	| 'gpu-oom'
	| 'ram-low'
	| 'model-load'
	| 'database-locked'
	| 'disk-full'
	| 'missing-table'
	| 'settings-json'
	| 'settings-invalid'
	| 'dimension-mismatch'
	| 'stalled'
	| 'dependency'
	| 'slow'
	| 'memory-growth'
	| 'failed-messages'
	| 'run-error'
	| 'log-incomplete'
	| 'endpoint-auth'
	| 'endpoint-dimension'
	| 'endpoint-rate-limited'
	| 'endpoint-out'
	| 'endpoint-unreachable';

export type Severity = 'error' | 'warning';

/** A dashboard action a problem offers; the key is looked up in the keymap. */
export type FixKey = 'b' | 'c' | 'p' | 'r' | '+' | 'v' | 'R' | 'q';

export type ProblemDefinition = {
	id: ProblemId;
	severity: Severity;
	/** Matches log messages and error texts that show this problem. */
	signature?: RegExp;
	/** Lines the engine itself logs for this problem (from log/messages.ts): the signature must match each. */
	logLines?: readonly string[];
	title: {en: string; zh: string};
	diagnosis: {en: string; zh: string};
	keys: FixKey[];
	/** What to run without the dashboard. */
	command: string;
};

/**
 * Embedding servers (`--endpoint`). The key's refusal comes first: a line that reports an endpoint
 * taken out or removed carries its reason, and a refused key is the reason worth naming.
 */
const endpointProblems: readonly ProblemDefinition[] = [
	{
		id: 'endpoint-auth',
		severity: 'error',
		signature: /embedding endpoint \S+ .*(?:HTTP 40[13]|API key was refused|no API key was sent)/,
		title: {en: 'Embedding server refuses the API key', zh: '嵌入端點拒絕 API 金鑰'},
		diagnosis: {
			en: 'The server answered 401/403: no key was sent, or the wrong one. The key is read from OPENAI_API_KEY, or the variable memory_system.migration.api_key_env names.',
			zh: '伺服器回應 401/403：未送出金鑰或金鑰錯誤。金鑰讀取自 OPENAI_API_KEY，或 memory_system.migration.api_key_env 指定的環境變數。',
		},
		keys: ['q'],
		command: 'export OPENAI_API_KEY=<the server\'s key>   (or the variable in migration.api_key_env), then qwen3-migrate check --endpoint URL',
	},
	{
		id: 'endpoint-dimension',
		severity: 'error',
		signature: /answer(?:s|ed) \d+-d vectors, the target is \d+-d|endpoints answer different dimensions/,
		title: {en: 'Embedding server has the wrong dimension', zh: '嵌入端點維度錯誤'},
		diagnosis: {
			en: 'The server\'s vectors are not as wide as the target (1024 for the bot\'s Qwen3 profiles): another model, or a Matryoshka cut. Nothing was written.',
			zh: '伺服器的向量維度與目標不同 (bot 的 Qwen3 設定為 1024)：可能是其他模型或 Matryoshka 截斷。未寫入任何資料。',
		},
		keys: ['q'],
		command: 'serve Qwen/Qwen3-Embedding-0.6B at full width there (or set migration.output_dimension), then qwen3-migrate check --endpoint URL',
	},
	{
		id: 'endpoint-rate-limited',
		severity: 'warning',
		signature: new RegExp(`${literally(logMarkers.endpointRateLimited)}|embedding endpoint \\S+ .*HTTP 429`),
		logLines: [logText.endpointRateLimited('http://gpu1:8000/v1', 2000)],
		title: {en: 'Embedding server rate-limits (429)', zh: '嵌入端點限流 (429)'},
		diagnosis: {
			en: 'The server answers 429: the run waits out Retry-After and sends fewer requests there; the other endpoints go on.',
			zh: '伺服器回應 429：遷移會等待 Retry-After 並減少對它的請求；其他端點繼續工作。',
		},
		keys: ['p'],
		command: 'raise the server\'s rate limit, or list its URL only once in --endpoint; the run slows down for it by itself',
	},
	{
		id: 'endpoint-out',
		severity: 'warning',
		signature: new RegExp(`${literally(logMarkers.endpointTakenOut)}|${literally(logMarkers.endpointRemoved)}`),
		logLines: [logText.endpointTakenOut('http://gpu2:8000/v1', 'HTTP 503', 10_000), logText.endpointRemoved('http://gpu2:8000/v1', 'answered 768-d vectors')],
		title: {en: 'Embedding server taken out of rotation', zh: '嵌入端點暫停使用'},
		diagnosis: {
			en: 'One endpoint kept failing: it gets no work until its cooldown is over, then one request to prove itself. The others finish the work.',
			zh: '某個端點連續失敗：冷卻期間不再分派工作，之後先試一個請求。其他端點繼續完成工作。',
		},
		keys: ['p'],
		command: 'qwen3-migrate check --endpoint URL   (restart that server; the run takes it back by itself)',
	},
	{
		id: 'endpoint-unreachable',
		severity: 'error',
		signature: /embedding endpoint \S+ .*(?:connection refused|host name not found|host unreachable|no answer within|connection (?:reset|closed))|no embedding endpoint is left/,
		title: {en: 'Embedding server unreachable', zh: '無法連線嵌入端點'},
		diagnosis: {
			en: 'No HTTP answer: the server is down, the URL or port is wrong, or a firewall is in the way. Committed batches are kept.',
			zh: '沒有 HTTP 回應：伺服器未啟動、網址或連接埠錯誤，或被防火牆阻擋。已提交的批次都保留。',
		},
		keys: ['q'],
		command: 'start the server (e.g. qwen3-migrate serve --port 8000 --host 0.0.0.0 on the GPU box), qwen3-migrate check --endpoint URL, then qwen3-migrate migrate   (resumes)',
	},
];

export const problemCatalogue: readonly ProblemDefinition[] = [
	...endpointProblems,
	{
		id: 'gpu-oom',
		severity: 'error',
		signature: new RegExp(`CUDA out of memory|CUDA failure 2|Failed to allocate memory|CUBLAS_STATUS_ALLOC_FAILED|bad_alloc|out of memory|${literally(logMarkers.gpuOutOfMemory)}`, 'i'),
		logLines: [logText.gpuOutOfMemory()],
		title: {en: 'GPU out of memory', zh: 'GPU 記憶體不足'},
		diagnosis: {
			en: 'The batch does not fit in GPU memory; the engine halves it automatically.',
			zh: '批次超出 GPU 記憶體；引擎已自動將批次減半。',
		},
		keys: ['b', 'c'],
		command: 'qwen3-migrate migrate --batch-size 10   (or --device cpu; settings: cpu_only_mode, hardware_detection.gpu_memory_limit_mb)',
	},
	{
		id: 'ram-low',
		severity: 'warning',
		signature: new RegExp(`MemoryError|Unable to allocate|${literally(logMarkers.lowMemory)}|ENOMEM`, 'i'),
		logLines: [logText.lowMemory(900, 1024, 32, 16)],
		title: {en: 'System RAM is short', zh: '系統記憶體不足'},
		diagnosis: {en: 'Free RAM is below memory_threshold_mb; smaller batches use less.', zh: '可用記憶體低於 memory_threshold_mb；較小的批次用量較少。'},
		keys: ['b', 'p'],
		command: 'qwen3-migrate migrate --batch-size 5   (close other programs, or add swap)',
	},
	{
		id: 'model-load',
		severity: 'error',
		signature: new RegExp(`${literally(logMarkers.modelLoadFailed)}|Can't load tokenizer|cannot load .* from|Could not locate file|Unauthorized access to file`, 'i'),
		logLines: [logText.modelLoadFailed('fetch failed')],
		title: {en: 'Model could not be loaded', zh: '模型載入失敗'},
		diagnosis: {
			en: 'The weights were not found locally and could not be downloaded.',
			zh: '本機找不到模型檔案，也無法下載。',
		},
		keys: ['q'],
		command: 'export HF_ENDPOINT=https://hf-mirror.com, or set memory_system.migration.target_model_path to a local copy',
	},
	{
		// A finished run's warning (the dashboard's logIncomplete), not a line of a log it could not write.
		id: 'log-incomplete',
		severity: 'warning',
		title: {en: 'Run log incomplete', zh: '遷移日誌不完整'},
		diagnosis: {
			en: 'The migration is complete and the switch recorded, but its log could not be written to the end (a full disk?).',
			zh: '遷移已完成並已切換，但遷移日誌無法寫到最後 (磁碟已滿？)。',
		},
		keys: ['q'],
		command: 'free space on the volume named above (df -h); run qwen3-migrate migrate again only if it names messages stored after the switch',
	},
	{
		// Before database-locked: SQLite says "database or disk is full", which is no lock.
		id: 'disk-full',
		severity: 'error',
		signature: new RegExp(`${literally(logMarkers.diskFull)}|ENOSPC|No space left on device|database or disk is full|SQLITE_FULL`, 'i'),
		title: {en: 'Disk full', zh: '磁碟空間不足'},
		diagnosis: {
			en: 'A write (SQLite, a FAISS index, a backup or the log) found the disk full; the run stopped cleanly and every committed batch is kept.',
			zh: '寫入時磁碟已滿；遷移已安全停止，已提交的批次都保留。',
		},
		keys: ['q'],
		command: 'free space (old logs, data/memory/models, old backups: df -h shows the volume), then qwen3-migrate migrate   (resumes)',
	},
	{
		id: 'database-locked',
		severity: 'warning',
		signature: new RegExp(`database is locked|SQLITE_BUSY|${literally(logMarkers.databaseLocked)}`, 'i'),
		logLines: [logText.databaseBusy(400, 2)],
		title: {en: 'Database is locked', zh: '資料庫鎖定'},
		diagnosis: {en: 'Another process holds a write lock; the engine waits and retries.', zh: '其他程序持有寫入鎖；引擎會等待並重試。'},
		keys: ['p'],
		command: 'qwen3-migrate check   (lists the processes that have memory.db open)',
	},
	{
		id: 'missing-table',
		severity: 'error',
		signature: /no such table/i,
		title: {en: 'Database tables missing', zh: '資料庫結構錯誤'},
		diagnosis: {en: 'memory.db lacks the PigPig tables (channels, messages, embeddings).', zh: 'memory.db 缺少 PigPig 的資料表。'},
		keys: ['q'],
		command: 'start the bot once so it creates its tables, or point database_path at the right file',
	},
	{
		id: 'settings-json',
		severity: 'error',
		signature: /invalid JSON|JSONDecodeError|Expecting (?:value|property name|',' delimiter|':' delimiter)/i,
		title: {en: 'settings.json is not valid JSON', zh: 'JSON 格式錯誤'},
		diagnosis: {en: 'The file cannot be parsed; the error gives line and column.', zh: '設定檔無法解析；錯誤訊息列出行與列。'},
		keys: ['q'],
		command: 'python -m json.tool settings.json, or: cp settings_qwen3_example.json settings.json',
	},
	{
		id: 'settings-invalid',
		severity: 'error',
		signature: /settings\.json: [\w.]+: expected|ConfigurationError|Invalid configuration parameter/i,
		title: {en: 'Invalid settings value', zh: '配置參數錯誤'},
		diagnosis: {en: 'A settings value has the wrong type or range.', zh: '設定值的型別或範圍錯誤。'},
		keys: ['q'],
		command: 'fix the named key, or: cp settings_qwen3_example.json settings.json',
	},
	{
		id: 'dimension-mismatch',
		severity: 'error',
		signature: /dimension mismatch|gives \d+-d vectors, but|expected \d+, got \d+/i,
		title: {en: 'Vector dimension mismatch', zh: '維度不匹配'},
		diagnosis: {en: 'Vectors of different lengths are mixed for one model.', zh: '同一模型混有不同維度的向量。'},
		keys: ['v', 'R'],
		command: 'qwen3-migrate migrate --strategy regenerate   (or rollback and start again)',
	},
	{
		id: 'stalled',
		severity: 'warning',
		signature: new RegExp(literally(logMarkers.stuck)),
		logLines: [logText.stalled(450, 1000, 12_000)],
		title: {en: 'Migration stalled', zh: '遷移進度停止'},
		diagnosis: {en: 'No batch has finished for 5× the usual batch time.', zh: '超過平常批次時間 5 倍沒有批次完成。'},
		keys: ['b', 'c', 'p'],
		command: 'qwen3-migrate migrate --batch-size 25   (resumes from the checkpoint)',
	},
	{
		id: 'dependency',
		severity: 'error',
		signature: /Cannot find module|ERR_DLOPEN_FAILED|failed to load:|undefined symbol|NODE_MODULE_VERSION/i,
		title: {en: 'Dependency problem', zh: '依賴套件問題'},
		diagnosis: {en: 'A native module (onnxruntime, FAISS, SQLite) failed to load.', zh: '原生模組 (onnxruntime、FAISS、SQLite) 載入失敗。'},
		keys: ['q'],
		command: './setup.sh install   (or npm rebuild)',
	},
	{
		id: 'slow',
		severity: 'warning',
		title: {en: 'Migration is slow', zh: '遷移速度過慢'},
		diagnosis: {en: 'Fewer than 100 vectors a minute.', zh: '每分鐘少於 100 個向量。'},
		keys: ['+', 'c'],
		command: 'qwen3-migrate migrate --batch-size 32   (memory_system.migration.migration_batch_size)',
	},
	{
		id: 'memory-growth',
		severity: 'warning',
		title: {en: 'Memory keeps growing', zh: '記憶體持續增長'},
		diagnosis: {en: 'This process grew by more than 500 MB: a possible leak.', zh: '本程序增長超過 500 MB：可能有記憶體洩漏。'},
		keys: ['p', 'q'],
		command: 'stop and run migrate again: it resumes from the checkpoint with fresh memory',
	},
	{
		id: 'failed-messages',
		severity: 'warning',
		title: {en: 'Some messages failed', zh: '部分訊息失敗'},
		diagnosis: {en: 'They were isolated and skipped; the rest continue.', zh: '已隔離並略過；其餘繼續。'},
		keys: ['r'],
		command: 'qwen3-migrate migrate --retry-failed',
	},
	{
		id: 'run-error',
		severity: 'error',
		title: {en: 'The migration stopped', zh: '遷移已停止'},
		diagnosis: {en: 'Everything committed is kept; fix the cause and start again to resume.', zh: '已提交的資料都保留；排除原因後再次開始即可從檢查點繼續。'},
		keys: ['q'],
		command: 'qwen3-migrate migrate   (resumes from the checkpoint)',
	},
];

export function problemById(id: ProblemId): ProblemDefinition {
	return problemCatalogue.find(problem => problem.id === id)!;
}

/** The first catalogue problem whose signature matches `text`. */
export function matchProblem(text: string): ProblemDefinition | undefined {
	return problemCatalogue.find(problem => problem.signature?.test(text));
}
