/**
 * Which model backend a run uses: the local ONNX model, or the embedding servers named by
 * `--endpoint` / `memory_system.migration.endpoints`. The engine never branches on it: the remote
 * backend arrives through `Migration`'s `loadEmbedder` seam, and its endpoint changes come back as
 * `endpoint:change` events (written to the run log, shown on the dashboard) and its figures as
 * `endpoint:stats` (the dashboard's endpoint rows, also served to attached dashboards).
 */
import type {EmbeddingBackend} from '../../engine/embed-backend.js';
import type {EmbedderOptions} from '../../engine/embed/embedder.js';
import type {MigrationEvents} from '../../engine/migration/events.js';
import {remoteEmbedderLoader} from '../../engine/remote/remote-loader.js';
import type {RemoteFlags} from '../../engine/remote/remote-settings.js';
import type {MemorySystemSettings} from '../../engine/settings/schema.js';

export type BackendChoice = {
	/** undefined: the local model (the engine's default loader). */
	loadEmbedder: ((options: EmbedderOptions) => Promise<EmbeddingBackend>) | undefined;
	/** Connects the remote pool's endpoint changes to a run's events (call once the Migration exists). */
	attach: (events: MigrationEvents) => void;
};


/** The remote loader when endpoints are configured; settings that do not load leave the local path (the run reports them). */
export function chooseEmbeddingBackend(memory: MemorySystemSettings | undefined, flags: RemoteFlags, env: NodeJS.ProcessEnv, warn: (line: string) => void): BackendChoice {
	let events: MigrationEvents | undefined;
	const loadEmbedder = memory
		? remoteEmbedderLoader(memory, flags, env, {
			warn,
			onEvent: change => events?.emit('endpoint:change', change),
			onStats: stats => events?.emit('endpoint:stats', {endpoints: stats.map(({url, state, retrying, inFlight, slots, texts, errors, latencyMs}) => ({url, state, retrying, inFlight, slots, texts, errors, latencyMs}))}),
		})
		: undefined;
	return {
		loadEmbedder,
		attach(runEvents) {
			events = runEvents;
		},
	};
}
