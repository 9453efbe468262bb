/** The example settings the guide copies over a broken settings.json (settings_qwen3_example.json). */
import {sourceModelDefault, targetModelDefault} from './schema.js';

/**
 * settings_qwen3_example.json: a complete, valid memory_system ready for the Qwen3 migration: the
 * bot still on the old model, the migration section naming Qwen3 as the target. Copying it over
 * settings.json (the guide's fix for a broken file) and running `migrate` works; the migration
 * then switches embedding_model and profile itself.
 */
export function exampleSettings(): object {
	return {
		memory_system: {
			enabled: true,
			auto_detection: true,
			profile: 'high_performance',
			cpu_only_mode: false,
			embedding_model: sourceModelDefault,
			database_path: 'data/memory/memory.db',
			memory_threshold_mb: 3072,
			hardware_detection: {gpu_memory_limit_mb: 4096, fallback_to_cpu: true},
			performance: {batch_size: 16, max_concurrent_queries: 8},
			migration: {
				migration_batch_size: 32,
				strategy: 'regenerate',
				target_model: targetModelDefault,
				target_model_path: null,
				source_model_path: null,
				hf_endpoint: null,
				model_cache_dir: 'data/memory/models',
				device: 'auto',
				dtype: 'auto',
				max_tokens: 512,
				max_batch_tokens: 2048,
				intra_op_threads: null,
				output_dimension: null,
				transform_sample_size: 2000,
				transform_quality_threshold: 0.9,
				endpoints: [],
				api_key_env: null,
				remote_model: null,
			},
		},
	};
}
