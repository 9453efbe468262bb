/** settings.json as the PigPig bot has it before the migration, plus the example the guide copies. */
import {sourceModelDefault, targetModelDefault} from '../settings/schema.js';

/** Sections of the bot's file that the tool never reads; a rewrite must keep them as they are. */
const botSections = {
	prefix: '/',
	activity: [{paly: '學習說話'}],
	ipc_server: {host: '127.0.0.1', port: 8000, enable: false},
	version: 'v2.6.0',
	model_priority: ['gemini', 'local', 'openai', 'claude'],
	system_prompt: {config_file: 'config/system_prompts.json', default_language: 'zh_TW', fallback_enabled: true},
	auto_update: {enabled: true, check_interval: 21_600, require_owner_confirmation: true, auto_restart: true},
};

export type DemoModelPaths = {source: string; target: string};

/** The file text: written by hand so the snowflake channel id stays an exact 64-bit integer. */
export function demoSettingsText(models: DemoModelPaths): string {
	// The example's memory_system, with the generated models as the weights to load.
	const {memory_system: memorySystem} = exampleSettings() as {memory_system: {migration: Record<string, unknown>}};
	memorySystem.migration = {...memorySystem.migration, target_model_path: models.target, source_model_path: models.source};
	const body = JSON.stringify({...botSections, notification: {discord_dm: true, update_channel_id: '__ID__'}, memory_system: memorySystem}, undefined, 2);
	return `${body.replace('"__ID__"', '1208661941539704852')}\n`;
}

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
			},
		},
	};
}
