/** The validated shape of the bot's settings.json, with a default for every key the tool reads. */
import {z} from 'zod';

export const profileNames = [
	'qwen3_high_performance',
	'qwen3_medium_performance',
	'high_performance',
	'medium_performance',
	'low_performance',
] as const;

export type ProfileName = (typeof profileNames)[number];

export const qwen3Profiles: readonly ProfileName[] = ['qwen3_high_performance', 'qwen3_medium_performance'];

export const strategyNames = ['regenerate', 'transform', 'pad', 'truncate'] as const;
export type StrategyName = (typeof strategyNames)[number];

export const deviceNames = ['auto', 'cpu', 'cuda'] as const;
export type DeviceName = (typeof deviceNames)[number];

export const dtypeNames = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type DtypeName = (typeof dtypeNames)[number];

export const sourceModelDefault = 'sentence-transformers/paraphrase-multilingual-mpnet-base-v2';
export const targetModelDefault = 'Qwen/Qwen3-Embedding-0.6B';

const positiveInt = (max: number) => z.int().min(1).max(max);
const optionalPath = z.string().min(1).nullable().default(null);

const hardwareDetection = z
	.looseObject({
		gpu_memory_limit_mb: positiveInt(1_048_576).default(4096),
		fallback_to_cpu: z.boolean().default(true),
	})
	.prefault({});

const performance = z
	.looseObject({
		batch_size: positiveInt(4096).default(32),
		max_concurrent_queries: positiveInt(1024).default(8),
	})
	.prefault({});

const migration = z
	.looseObject({
		/** Rows per embedding batch during migration (the guide's key). */
		migration_batch_size: positiveInt(4096).default(32),
		strategy: z.enum(strategyNames).default('regenerate'),
		/** The model id written to embeddings.model_version and to embedding_model at cut-over. */
		target_model: z.string().min(1).default(targetModelDefault),
		/** Where the target weights are read from when not from the hub: a local directory. */
		target_model_path: optionalPath,
		/** Local directory for the current (source) model's weights, used by transform and demo. */
		source_model_path: optionalPath,
		/** Hugging Face mirror, e.g. https://hf-mirror.com (HF_ENDPOINT in the environment wins). */
		hf_endpoint: z.url().nullable().default(null),
		/** Download cache, relative to the workspace. */
		model_cache_dir: z.string().min(1).default('data/memory/models'),
		device: z.enum(deviceNames).default('auto'),
		dtype: z.enum(dtypeNames).default('auto'),
		/** Texts longer than this many tokens are truncated by the tool, EOS kept. */
		max_tokens: z.int().min(8).max(32_768).default(512),
		/** Padded tokens per model call (rows × longest text in the batch); the batch size stays an upper bound. */
		max_batch_tokens: z.int().min(64).max(1_048_576).default(2048),
		/** onnxruntime intra-op threads for the model; null: one per core. */
		intra_op_threads: z.int().min(1).max(256).nullable().default(null),
		/** Matryoshka: keep the first k dimensions (32 … the model's), re-normalised. null: all. */
		output_dimension: z.int().min(32).max(32_768).nullable().default(null),
		/** transform: messages embedded to fit the map (or 10% of the target set, if fewer; at least 200). */
		transform_sample_size: z.int().min(20).max(1_000_000).default(2000),
		/** transform: the held-out recall@10 the map must reach, or nothing is written. */
		transform_quality_threshold: z.number().min(0).max(1).default(0.9),
		/** OpenAI-compatible embedding servers to migrate through (base URLs, e.g. http://gpu1:8000/v1); empty: the local model. */
		endpoints: z.array(z.url()).default([]),
		/** The environment variable holding the servers' API key (never the key itself); null: OPENAI_API_KEY. */
		api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).nullable().default(null),
		/** The servers' name for the target model; null: asked from GET {base}/models. */
		remote_model: z.string().min(1).nullable().default(null),
	})
	.prefault({});

export const memorySystemSchema = z
	.looseObject({
		enabled: z.boolean().default(true),
		auto_detection: z.boolean().default(true),
		profile: z.enum(profileNames).default('high_performance'),
		cpu_only_mode: z.boolean().default(false),
		embedding_model: z.string().min(1).default(sourceModelDefault),
		database_path: z.string().min(1).default('data/memory/memory.db'),
		memory_threshold_mb: z.int().min(0).max(1_048_576).default(2048),
		hardware_detection: hardwareDetection,
		performance,
		migration,
	})
	.prefault({});

export const settingsSchema = z.looseObject({
	memory_system: memorySystemSchema,
});

export type Settings = z.infer<typeof settingsSchema>;
export type MemorySystemSettings = Settings['memory_system'];
export type MigrationSettings = MemorySystemSettings['migration'];
