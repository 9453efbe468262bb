/**
 * `plan`'s time estimate for a run through embedding servers: each endpoint is probed (the same
 * checks as before a run), then every endpoint at once embeds sample batches of real messages with
 * several requests in flight, as the pool would send them. The estimate is the sum of the measured
 * rates, so it counts what the servers and this client really manage together.
 */
import {EmbeddingClient} from './client.js';
import {botPreprocess} from './bot-preprocess.js';
import {probeEndpoints, type ProbeOptions} from './probe.js';

export type EndpointTiming = {url: string; model: string; textsPerSecond: number; latencyMs: number};

export type RemoteTiming = {
	/** All endpoints together. */
	textsPerSecond: number;
	texts: number;
	inFlight: number;
	dimension: number;
	endpoints: EndpointTiming[];
};

export type RemoteTimingOptions = ProbeOptions & {
	endpoints: readonly string[];
	apiKey?: string | undefined;
	/** Texts per request (the run's batch size). */
	batchSize: number;
	/** Requests kept in flight per endpoint while timing. */
	inFlight?: number;
	/** Requests each in-flight slot sends (after one warm-up request per endpoint). */
	rounds?: number;
	timeoutMs?: number;
};

/** The sample cut into `count` batches of `size`, cycling through the texts. */
function sampleBatches(texts: readonly string[], size: number, count: number): string[][] {
	return Array.from({length: count}, (_batch, batch) => Array.from({length: size}, (_text, index) => texts[(batch * size + index) % texts.length]!));
}

async function timeEndpoint(client: EmbeddingClient, model: string, texts: readonly string[], options: RemoteTimingOptions & {inFlight: number; rounds: number}): Promise<EndpointTiming> {
	const batches = sampleBatches(texts, Math.min(options.batchSize, texts.length), options.inFlight * options.rounds);
	const request = (batch: string[]) => client.embed({model, texts: batch, dimensions: options.requestDimensions});
	await request(batches[0]!);
	const latencies: number[] = [];
	const queue = [...batches];
	const started = performance.now();
	await Promise.all(
		Array.from({length: options.inFlight}, async () => {
			for (let batch = queue.shift(); batch; batch = queue.shift()) {
				const sent = performance.now();
				await request(batch);
				latencies.push(performance.now() - sent);
			}
		}),
	);
	const seconds = (performance.now() - started) / 1000;
	const sent = batches.reduce((sum, batch) => sum + batch.length, 0);
	return {url: client.baseUrl, model, textsPerSecond: sent / seconds, latencyMs: latencies.reduce((sum, value) => sum + value, 0) / latencies.length};
}

/** Probes and times every endpoint; a refused endpoint throws as it would before a run (exit 2, naming it). */
export async function timeEndpoints(sample: readonly string[], options: RemoteTimingOptions): Promise<RemoteTiming> {
	if (sample.length === 0) {
		throw new Error('no sample messages to time the endpoints with');
	}

	const texts = sample.map(text => botPreprocess(text));
	const inFlight = options.inFlight ?? 4;
	const rounds = options.rounds ?? 2;
	const clients = options.endpoints.map(baseUrl => new EmbeddingClient({baseUrl, apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? 60_000}));
	const reports = await probeEndpoints(clients, options);
	const endpoints = await Promise.all(clients.map(async (client, index) => timeEndpoint(client, reports[index]!.model!, texts, {...options, inFlight, rounds})));
	return {
		textsPerSecond: endpoints.reduce((sum, endpoint) => sum + endpoint.textsPerSecond, 0),
		texts: endpoints.length * inFlight * rounds * Math.min(options.batchSize, texts.length),
		inFlight,
		dimension: reports[0]!.dimension!,
		endpoints,
	};
}
