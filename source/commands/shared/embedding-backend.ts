/**
 * Which model backend a run uses: the local ONNX model, or the embedding servers named by
 * `--endpoint` / `memory_system.migration.endpoints`. The engine never branches on it: the remote
 * backend arrives through `Migration`'s `loadEmbedder` seam, and its endpoint changes come back as
 * `endpoint:change` events (written to the run log, shown on the dashboard).
 */
import type {EmbeddingBackend} from '../../engine/embed-backend.js';
import type {EmbedderOptions} from '../../engine/embed/embedder.js';
import type {MigrationEvents} from '../../engine/migration/events.js';
import {remoteEmbedderLoader} from '../../engine/remote/remote-loader.js';
import type {RemoteFlags} from '../../engine/remote/remote-settings.js';
import {workspacePathsLenient} from '../../engine/workspace.js';

export type BackendChoice = {
	/** undefined: the local model (the engine's default loader). */
	loadEmbedder: ((options: EmbedderOptions) => Promise<EmbeddingBackend>) | undefined;
	/** Connects the remote pool's endpoint changes to a run's events (call once the Migration exists). */
	attach: (events: MigrationEvents) => void;
};

function settingsIfReadable(root: string) {
	try {
		return workspacePathsLenient(root).settings;
	} catch {
		// A missing workspace is reported by the run itself (or the dashboard at open), once.
		return undefined;
	}
}

/** The remote loader when endpoints are configured; settings that do not load leave the local path (the run reports them). */
export function chooseEmbeddingBackend(root: string, flags: RemoteFlags, env: NodeJS.ProcessEnv, warn: (line: string) => void): BackendChoice {
	const settings = settingsIfReadable(root);
	let events: MigrationEvents | undefined;
	const loadEmbedder = settings
		? remoteEmbedderLoader(settings.settings.memory_system, flags, env, {
			warn,
			onEvent: change => events?.emit('endpoint:change', change),
		})
		: undefined;
	return {
		loadEmbedder,
		attach(runEvents) {
			events = runEvents;
		},
	};
}
