/**
 * Makes a RemoteEmbeddingBackend from settings and flags: endpoint list, API key from the
 * environment, probe (which refuses a wrong endpoint before anything is written), token counter.
 */
import type {ModelSource} from '../embed/model-source.js';
import {UsageError} from '../errors.js';
import {RemoteEmbeddingBackend} from './backend.js';
import {EmbeddingClient} from './client.js';
import {EndpointPool, type PoolOptions} from './pool.js';
import {EndpointRefusedError} from './remote-errors.js';
import {probeEndpoints, type EndpointReport, type ProbeOptions} from './probe.js';
import {openTokenCounter} from './token-count.js';

/** `--endpoint a,b --endpoint c` and settings' list, merged, validated, without duplicates. */
export function parseEndpointList(values: ReadonlyArray<string | undefined>): string[] {
	const urls = values.flatMap(value => (value ?? '').split(',')).map(value => value.trim()).filter(Boolean);
	for (const url of urls) {
		let parsed: URL | undefined;
		try {
			parsed = new URL(url);
		} catch {
			parsed = undefined;
		}

		if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
			throw new UsageError(`--endpoint: ${JSON.stringify(url)} is not an http(s) URL`, 'e.g. --endpoint http://gpu1:8000/v1');
		}

		if (parsed.username || parsed.password) {
			throw new UsageError(`--endpoint: ${parsed.host} carries credentials in the URL`, 'put the API key in OPENAI_API_KEY (or the variable named by migration.api_key_env) instead');
		}
	}

	return [...new Set(urls.map(url => url.replace(/\/+$/, '')))];
}

/** The key from OPENAI_API_KEY, or from the variable settings name (migration.api_key_env). */
export function apiKeyFrom(env: NodeJS.ProcessEnv, apiKeyEnv: string | null | undefined): string | undefined {
	const value = env[apiKeyEnv ?? 'OPENAI_API_KEY'];
	return value && value.length > 0 ? value : undefined;
}

export type OpenRemoteOptions = Omit<ProbeOptions, 'requestDimensions'> & {
	endpoints: readonly string[];
	apiKey?: string | undefined;
	/** Sent as `dimensions` (Matryoshka) when the target keeps fewer dimensions than the model has. */
	requestDimensions?: number | undefined;
	/** The target model's files, for exact token counts; absent or missing: the estimate. */
	tokenizerSource?: ModelSource | undefined;
	maxTokens: number;
	timeoutMs?: number;
	pool?: Omit<PoolOptions, 'dimension' | 'requestDimensions'>;
	warn?: (line: string) => void;
};

export async function openRemoteBackend(options: OpenRemoteOptions): Promise<{backend: RemoteEmbeddingBackend; reports: EndpointReport[]}> {
	if (options.endpoints.length === 0) {
		throw new UsageError('no embedding endpoint given', 'pass --endpoint URL or set memory_system.migration.endpoints');
	}

	const clients = options.endpoints.map(baseUrl => new EmbeddingClient({baseUrl, apiKey: options.apiKey, timeoutMs: options.timeoutMs}));
	const reports = await probeEndpoints(clients, options);
	const dimension = reports[0]!.dimension!;
	if (reports.some(report => report.dimension !== dimension)) {
		throw new EndpointRefusedError(`the endpoints answer different dimensions (${reports.map(report => `${report.url}: ${report.dimension}`).join(', ')})`, 'serve the same model on every endpoint');
	}

	const pool = new EndpointPool(
		clients.map((client, index) => ({client, model: reports[index]!.model!})),
		{...options.pool, dimension, requestDimensions: options.requestDimensions},
	);
	const counter = await openTokenCounter(options.tokenizerSource, options.maxTokens);
	return {backend: new RemoteEmbeddingBackend(options.targetModel, dimension, pool, counter, {maxTokens: options.maxTokens, warn: options.warn}), reports};
}
