/**
 * Checks each endpoint before anything is written: it embeds a few fixed texts, and its dimension
 * must be the target's, its vectors unit length, and (when the local model is at hand) close to the
 * local model's. `describeEndpoints` reports the same facts without refusing, for `check`.
 */
import {errorMessage} from '../errors.js';
import {EmbeddingClient} from './client.js';
import {logText} from '../log/messages.js';
import {EndpointRefusedError, RemoteEndpointError} from './remote-errors.js';

/** Short, mixed-script texts: what a chat bot stores. */
export const probeTexts = ['Hello, world!', '今天的天氣很好，我們去散步吧。', 'The quick brown fox jumps over the lazy dog.', 'ok 👍 see you at 8'];

export type EndpointReport = {
	url: string;
	reachable: boolean;
	model?: string;
	dimension?: number;
	latencyMs?: number;
	/** Lowest cosine with the local model over the probe texts (when local weights were given). */
	agreement?: number;
	warnings: string[];
	/** Why the endpoint cannot be used, one line; absent when it can. */
	problem?: string;
};

export type ProbeOptions = {
	/** The id the bot names the target by; matched against GET /models when --remote-model is absent. */
	targetModel: string;
	remoteModel?: string | undefined;
	/** Required width (1024 for the bot's Qwen3 profiles, else the local model's measured one). */
	expectedDimension?: number | undefined;
	requestDimensions?: number | undefined;
	/** The local model, for the agreement check. */
	reference?: {embed: (texts: readonly string[]) => Promise<Float32Array[]>} | undefined;
	/** Minimum cosine with the local model before a warning. */
	minAgreement?: number;
	/** The variable the key is read from (named in the fix when a key is refused; the key itself never is). */
	apiKeyEnv?: string | undefined;
	/** Stops the probes' requests and retries (Ctrl+C during `check`). */
	signal?: AbortSignal | undefined;
};

/** The fix for a refused endpoint, by what was wrong with it. */
function refusalHint(problem: string, apiKeyEnv: string | undefined): string {
	if (/HTTP 40[13]|API key/.test(problem)) {
		return `put the server's key in ${apiKeyEnv ?? 'OPENAI_API_KEY'} (memory_system.migration.api_key_env names another variable), then \`qwen3-migrate check --endpoint URL\``;
	}

	if (/connection refused|host name not found|host unreachable|no answer within|connection (?:reset|closed)/.test(problem)) {
		return 'start the server (or fix the URL and port) and check it with `qwen3-migrate check --endpoint URL`, or drop it from --endpoint / memory_system.migration.endpoints';
	}

	return 'serve the target model there (e.g. vLLM --task embed Qwen/Qwen3-Embedding-0.6B), or drop it from --endpoint / memory_system.migration.endpoints';
}

/** The server's name for the target: --remote-model, its only model, or the one named like the target. */
async function resolveModel(client: EmbeddingClient, options: ProbeOptions): Promise<string> {
	if (options.remoteModel) {
		return options.remoteModel;
	}

	const models = await client.listModels(options.signal);
	if (models.length === 1) {
		return models[0]!;
	}

	const target = options.targetModel.toLowerCase();
	const base = target.split('/').at(-1)!;
	const match = models.find(model => model.toLowerCase() === target) ?? models.find(model => model.toLowerCase().includes(base));
	if (!match) {
		throw new Error(`serves ${models.length === 0 ? 'no models' : models.join(', ')}, none named like ${options.targetModel} (pass --remote-model NAME)`);
	}

	return match;
}

/** A transient failure or 429 is tried again (five tries), as a busy but healthy server needs. */
async function withRetries<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await call();
		} catch (error) {
			const kind = error instanceof RemoteEndpointError ? error.kind : undefined;
			if ((kind !== 'transient' && kind !== 'rate-limited') || attempt >= 5 || signal?.aborted) {
				throw error;
			}

			const retryAfterMs = error instanceof RemoteEndpointError ? error.retryAfterMs : undefined;
			await new Promise(resolve => setTimeout(resolve, Math.min(retryAfterMs ?? 200 * attempt, 10_000)));
		}
	}
}

/** The probe texts in one request, or one by one when the server's batch limit is below four. */
async function embedProbe(client: EmbeddingClient, model: string, dimensions: number | undefined, signal?: AbortSignal): Promise<Float32Array[]> {
	try {
		return await withRetries(async () => client.embed({model, texts: probeTexts, dimensions, signal}), signal);
	} catch (error) {
		if (!(error instanceof RemoteEndpointError && error.kind === 'too-large')) {
			throw error;
		}

		const single = await Promise.all(probeTexts.map(async text => withRetries(async () => client.embed({model, texts: [text], dimensions, signal}), signal)));
		return single.map(vectors => vectors[0]!);
	}
}

const norm = (vector: Float32Array) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0) / (norm(a) * norm(b) || 1);

/** Everything about one endpoint; never throws (a failure becomes `problem`). */
export async function describeEndpoint(client: EmbeddingClient, options: ProbeOptions, localVectors?: Float32Array[]): Promise<EndpointReport> {
	const report: EndpointReport = {url: client.baseUrl, reachable: false, warnings: []};
	try {
		report.model = await withRetries(async () => resolveModel(client, options), options.signal);
		report.reachable = true;
		const started = performance.now();
		const vectors = await embedProbe(client, report.model, options.requestDimensions, options.signal);
		report.latencyMs = performance.now() - started;
		report.dimension = vectors[0]!.length;
		const problems: string[] = [];
		if (options.expectedDimension !== undefined && report.dimension !== options.expectedDimension) {
			problems.push(`answers ${report.dimension}-d vectors, the target is ${options.expectedDimension}-d`);
		}

		const worstNorm = Math.max(...vectors.map(vector => Math.abs(norm(vector) - 1)));
		if (worstNorm > 1e-3) {
			problems.push(`its vectors are not unit length (|norm - 1| up to ${worstNorm.toFixed(4)}): the server must normalise`);
		}

		if (localVectors && problems.length === 0) {
			report.agreement = Math.min(...vectors.map((vector, index) => cosine(vector, localVectors[index]!)));
			if (report.agreement < (options.minAgreement ?? 0.99)) {
				report.warnings.push(`cosine with the local model is ${report.agreement.toFixed(4)} (< ${options.minAgreement ?? 0.99}): is it the same model, and does it pool on the last token?`);
			}
		}

		if (problems.length > 0) {
			report.problem = problems.join('; ');
		}
	} catch (error) {
		report.problem = errorMessage(error).replace(`embedding endpoint ${client.baseUrl}: `, '');
	}

	return report;
}

/** `check` from URLs: one report per endpoint, the key from the caller (never printed). */
export async function describeEndpointUrls(urls: readonly string[], options: ProbeOptions & {apiKey?: string | undefined; timeoutMs?: number}): Promise<EndpointReport[]> {
	return describeEndpoints(urls.map(baseUrl => new EmbeddingClient({baseUrl, apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? 10_000})), options);
}

/** `check`: one report per endpoint, all probed at once. */
export async function describeEndpoints(clients: readonly EmbeddingClient[], options: ProbeOptions): Promise<EndpointReport[]> {
	const localVectors = options.reference ? await options.reference.embed(probeTexts) : undefined;
	return Promise.all(clients.map(async client => describeEndpoint(client, options, localVectors)));
}

/**
 * Before a run: every endpoint must pass, or the run stops with exit 2 naming the first endpoint
 * that did not, and nothing is written. Agreement below the bar is a warning (via `warn`).
 */
export async function probeEndpoints(clients: readonly EmbeddingClient[], options: ProbeOptions & {warn?: (line: string) => void}): Promise<EndpointReport[]> {
	const reports = await describeEndpoints(clients, options);
	const refused = reports.find(report => report.problem !== undefined);
	if (refused) {
		throw new EndpointRefusedError(`embedding endpoint ${refused.url} cannot be used: ${refused.problem}`, refusalHint(refused.problem!, options.apiKeyEnv));
	}

	for (const report of reports) {
		for (const warning of report.warnings) {
			options.warn?.(logText.endpointProbeWarning(report.url, warning));
		}
	}

	return reports;
}
