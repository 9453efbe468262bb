/** settings.json as the PigPig bot has it before the migration, plus the example the guide copies. */
import {exampleSettings} from '../engine/settings/example.js';

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
