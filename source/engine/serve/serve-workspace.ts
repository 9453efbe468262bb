/** Loads the workspace's target model (as `migrate` would) and serves it over HTTP. */
import {Embedder, type EmbedderOptions} from '../embed/embedder.js';
import {resolveModelSource} from '../embed/model-source.js';
import type {DeviceName} from '../types.js';
import type {Workspace} from '../workspace.js';
import {startEmbeddingServer, type RunningServer} from './server.js';

export type ServeWorkspaceOptions = {
	host?: string;
	port: number;
	botPreprocess?: boolean;
	device?: DeviceName;
	env?: NodeJS.ProcessEnv;
	/** Progress of a model download from the hub (the files are fetched only when not on disk). */
	onDownload?: EmbedderOptions['onDownload'];
	/** Stops a download under way (Ctrl+C before the server is up); the `.part` files resume. */
	signal?: AbortSignal;
};

export type ServingWorkspace = RunningServer & {modelId: string; dimension: number; device: string};

export async function serveWorkspace(workspace: Workspace, options: ServeWorkspaceOptions): Promise<ServingWorkspace> {
	const {memory, paths} = workspace;
	const {migration} = memory;
	const source = resolveModelSource(migration.target_model, {
		localPath: migration.target_model_path,
		root: paths.root,
		endpoint: migration.hf_endpoint,
		cacheDir: migration.model_cache_dir,
		env: options.env,
	});
	const embedder = await Embedder.load({
		source,
		device: options.device ?? migration.device,
		dtype: migration.dtype,
		maxTokens: migration.max_tokens,
		cpuOnlyMode: memory.cpu_only_mode,
		threads: migration.intra_op_threads ?? undefined,
		// A server embeds what it is sent (as vLLM and TEI do); the bot's rule is applied by the
		// server itself, and only with --bot-preprocess.
		textRule: 'raw',
		onDownload: options.onDownload,
		signal: options.signal,
	});
	try {
		const server = await startEmbeddingServer({
			model: embedder,
			host: options.host,
			port: options.port,
			botPreprocess: options.botPreprocess,
			maxBatchTokens: migration.max_batch_tokens,
			maxRows: migration.migration_batch_size,
			maxInputTokens: migration.max_tokens,
		});
		return {
			...server,
			modelId: embedder.modelId,
			dimension: embedder.dimension,
			device: embedder.device,
			close: async () => {
				await server.close();
				await embedder.close();
			},
		};
	} catch (error) {
		await embedder.close();
		throw error;
	}
}
