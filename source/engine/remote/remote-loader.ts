/**
 * The adapter the commands hand to `new Migration({loadEmbedder})` (and plan's timing probe): with
 * endpoints configured it returns the remote backend instead of the local model, so the engine
 * runs unchanged. When the target's weights are on disk, the local model is loaded once to measure
 * the target dimension and to check the servers agree with it, then closed before the run.
 */
import type {EmbeddingBackend} from '../embed-backend.js';
import {Embedder, type EmbedderOptions} from '../embed/embedder.js';
import {modelFilesPresent} from '../embed/model-source.js';
import type {MemorySystemSettings} from '../settings/schema.js';
import type {RemoteEmbeddingBackend} from './backend.js';
import {openRemoteBackend} from './open-backend.js';
import type {EndpointStats} from './endpoint.js';
import type {PoolOptions} from './pool.js';
import {remoteOptionsFrom, type RemoteFlags} from './remote-settings.js';

export type RemoteLoaderHooks = {
	/** Probe warnings (agreement below 0.99), as log lines. */
	warn?: (line: string) => void;
	/** Endpoint events (taken out, back, removed, batch halved, rate-limited), for log and dashboard. */
	onEvent?: PoolOptions['onEvent'];
	/** Every endpoint's figures, once a second and after each endpoint event (the dashboard's rows). */
	onStats?: (stats: EndpointStats[]) => void;
	pool?: Omit<PoolOptions, 'dimension' | 'requestDimensions' | 'onEvent'>;
	/** Loads the local model for the agreement check; tests may pass their own. */
	loadLocal?: (options: EmbedderOptions) => Promise<Pick<Embedder, 'embed' | 'dimension' | 'close'>>;
};

/** undefined when no endpoint is configured: the caller keeps the local loader. */
export function remoteEmbedderLoader(memory: MemorySystemSettings, flags: RemoteFlags, env: NodeJS.ProcessEnv, hooks: RemoteLoaderHooks = {}): ((options: EmbedderOptions) => Promise<EmbeddingBackend>) | undefined {
	if (remoteOptionsFrom(memory, flags, env) === undefined) {
		return undefined;
	}

	return async options => {
		const hasWeights = modelFilesPresent(options.source);
		const local = hasWeights ? await (hooks.loadLocal ?? (async (loadOptions: EmbedderOptions) => Embedder.load(loadOptions)))({...options, device: 'cpu'}) : undefined;
		try {
			const remote = remoteOptionsFrom(memory, flags, env, local?.dimension)!;
			const opened: {backend?: RemoteEmbeddingBackend} = {};
			const {backend} = await openRemoteBackend({
				...remote,
				reference: local,
				tokenizerSource: options.source,
				maxTokens: options.maxTokens ?? remote.maxTokens,
				warn: hooks.warn,
				pool: {
					...hooks.pool,
					onEvent(event) {
						hooks.onEvent?.(event);
						// The row changes with the event (taken out, back): show it now, not at the next tick.
						if (opened.backend && hooks.onStats) {
							hooks.onStats(opened.backend.endpointStats());
						}
					},
				},
			});
			opened.backend = backend;
			if (hooks.onStats) {
				backend.watchStats(hooks.onStats);
			}

			return backend;
		} finally {
			await local?.close();
		}
	};
}
