/**
 * Where the remote settings come together for `migrate`, `plan` and `check`: flags over settings
 * (--endpoint wins over migration.endpoints, --remote-model over migration.remote_model), the key
 * from the environment, and the expected dimension (the bot's Qwen3 profiles are 1024-d, or the local model's measured width).
 */
import type {MemorySystemSettings} from '../settings/schema.js';
import {targetModelDefault} from '../settings/schema.js';
import {apiKeyFrom, parseEndpointList, type OpenRemoteOptions} from './open-backend.js';

export type RemoteFlags = {endpoint?: string | undefined; remoteModel?: string | undefined};

/** Qwen3's full width; what the bot's qwen3_* profiles store unless output_dimension cuts it. */
export const qwen3Dimension = 1024;

/** undefined: no endpoints anywhere, the local model runs. */
export function remoteOptionsFrom(memory: MemorySystemSettings, flags: RemoteFlags, env: NodeJS.ProcessEnv, measuredDimension?: number): Omit<OpenRemoteOptions, 'tokenizerSource'> | undefined {
	const {migration} = memory;
	const endpoints = parseEndpointList(flags.endpoint === undefined ? migration.endpoints : [flags.endpoint]);
	if (endpoints.length === 0) {
		return undefined;
	}

	// The local weights' measured width when they are here, else Qwen3's known one; other models: whatever the first endpoint says.
	const fullDimension = measuredDimension ?? (migration.target_model === targetModelDefault ? qwen3Dimension : undefined);
	return {
		endpoints,
		targetModel: migration.target_model,
		remoteModel: flags.remoteModel ?? migration.remote_model ?? undefined,
		apiKey: apiKeyFrom(env, migration.api_key_env),
		apiKeyEnv: migration.api_key_env ?? 'OPENAI_API_KEY',
		// With Matryoshka the servers are asked for the kept width (vLLM and OpenAI honour `dimensions`).
		expectedDimension: migration.output_dimension ?? fullDimension,
		requestDimensions: migration.output_dimension ?? undefined,
		maxTokens: migration.max_tokens,
	};
}
