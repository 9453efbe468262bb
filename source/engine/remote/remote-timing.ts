/**
 * `plan`'s time estimate for a run through embedding servers: each endpoint is probed (the same
 * checks as before a run), then every endpoint at once embeds sample batches of real messages.
 * Requests in flight climb as the pool's do (2, 4, 8, 16 per endpoint) until the rate stops
 * growing, so a server that takes more work at once is not timed at a fraction of what the run
 * will get from it. The estimate is the sum of the best rates, so it counts what the servers and
 * this client really manage together.
 */
import {errorMessage} from '../errors.js';
import {EmbeddingClient} from './client.js';
import {botPreprocess} from './bot-preprocess.js';
import {poolDefaults} from './pool-options.js';
import {probeEndpoints, type ProbeOptions} from './probe.js';

export type EndpointTiming = {
	url: string;
	model: string;
	textsPerSecond: number;
	latencyMs: number;
	/** Requests in flight when it was fastest. */
	inFlight: number;
	/** Texts this endpoint embedded while being timed. */
	texts: number;
	/** The climb ended on a failure ("at 8 requests in flight: …HTTP 429…"): the rate is the best level below it. */
	failedHigher?: string;
};

export type RemoteTiming = {
	/** All endpoints together. */
	textsPerSecond: number;
	texts: number;
	/** The most requests in flight any endpoint was fastest at. */
	inFlight: number;
	dimension: number;
	endpoints: EndpointTiming[];
};

export type RemoteTimingOptions = ProbeOptions & {
	endpoints: readonly string[];
	apiKey?: string | undefined;
	/** Texts per request (the run's batch size). */
	batchSize: number;
	/** Requests in flight per endpoint to start from, and the most it climbs to (the pool's 2 and 16). */
	inFlight?: number;
	maxInFlight?: number;
	/** Requests each in-flight slot sends (after one warm-up request per endpoint). */
	rounds?: number;
	timeoutMs?: number;
	/** Stops every request (another endpoint failed: the timing is over). */
	signal?: AbortSignal;
};

/** The sample cut into `count` batches of `size`, cycling through the texts. */
function sampleBatches(texts: readonly string[], size: number, count: number): string[][] {
	return Array.from({length: count}, (_batch, batch) => Array.from({length: size}, (_text, index) => texts[(batch * size + index) % texts.length]!));
}

type Level = {textsPerSecond: number; latencyMs: number; texts: number};

async function timeLevel(client: EmbeddingClient, model: string, texts: readonly string[], options: RemoteTimingOptions, inFlight: number, rounds: number): Promise<Level> {
	const batches = sampleBatches(texts, Math.min(options.batchSize, texts.length), inFlight * rounds);
	const request = (batch: string[]) => client.embed({model, texts: batch, dimensions: options.requestDimensions, signal: options.signal});
	const latencies: number[] = [];
	const queue = [...batches];
	const started = performance.now();
	const failures: unknown[] = [];
	await Promise.all(
		Array.from({length: inFlight}, async () => {
			for (let batch = queue.shift(); batch; batch = queue.shift()) {
				const sent = performance.now();
				try {
					await request(batch);
				} catch (error) {
					// The level is over: no more requests, and the ones still out are waited for.
					failures.push(error);
					queue.length = 0;
					return;
				}

				latencies.push(performance.now() - sent);
			}
		}),
	);
	if (failures.length > 0) {
		throw failures[0];
	}

	const seconds = (performance.now() - started) / 1000;
	const sent = batches.reduce((sum, batch) => sum + batch.length, 0);
	return {textsPerSecond: sent / seconds, latencyMs: latencies.reduce((sum, value) => sum + value, 0) / latencies.length, texts: sent};
}

/** from, 2·from, 4·from … up to and including `to`. */
function doublings(from: number, to: number): number[] {
	const levels = [from];
	while (levels.at(-1)! < to) {
		levels.push(Math.min(to, levels.at(-1)! * 2));
	}

	return levels;
}

/** A level must beat the best so far by this much for the climb to go on. */
const worthwhileGain = 1.1;

/** One warm-up request, then requests in flight doubled from `from` to `to` while the rate still grows. */
async function timeEndpoint(client: EmbeddingClient, model: string, texts: readonly string[], options: RemoteTimingOptions & {from: number; to: number; rounds: number}): Promise<EndpointTiming> {
	await client.embed({model, texts: texts.slice(0, Math.min(options.batchSize, texts.length)), dimensions: options.requestDimensions, signal: options.signal});
	let best: Level & {inFlight: number} = {textsPerSecond: 0, latencyMs: 0, texts: 0, inFlight: options.from};
	let timed = 0;
	let failedHigher: string | undefined;
	for (const inFlight of doublings(options.from, options.to)) {
		let level: Level;
		try {
			level = await timeLevel(client, model, texts, options, inFlight, options.rounds);
		} catch (error) {
			// The first level's failure is the endpoint's; one at a higher level (429 overloaded, a
			// proxy's limit, a server out of memory) ends the climb: the best level below stands.
			if (best.textsPerSecond === 0 || options.signal?.aborted) {
				throw error;
			}

			failedHigher = `at ${inFlight} requests in flight: ${errorMessage(error)}`;
			break;
		}

		timed += level.texts;
		if (level.textsPerSecond < best.textsPerSecond * worthwhileGain) {
			// Saturated: more requests at once only queue on the server (the fewest that get the rate are kept).
			break;
		}

		best = {...level, inFlight};
	}

	return {url: client.baseUrl, model, textsPerSecond: best.textsPerSecond, latencyMs: best.latencyMs, inFlight: best.inFlight, texts: timed, ...(failedHigher ? {failedHigher} : {})};
}

/** Probes and times every endpoint; a refused endpoint throws as it would before a run (exit 2, naming it). */
export async function timeEndpoints(sample: readonly string[], options: RemoteTimingOptions): Promise<RemoteTiming> {
	if (sample.length === 0) {
		throw new Error('no sample messages to time the endpoints with');
	}

	const texts = sample.map(text => botPreprocess(text));
	const from = options.inFlight ?? poolDefaults.initialInFlight;
	const to = Math.max(from, options.maxInFlight ?? poolDefaults.maxInFlight);
	const rounds = options.rounds ?? 2;
	const clients = options.endpoints.map(baseUrl => new EmbeddingClient({baseUrl, apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? 60_000}));
	const reports = await probeEndpoints(clients, options);
	// One endpoint failing ends the timing: the others' requests are stopped, not left running.
	const stop = new AbortController();
	let failure: {error: unknown} | undefined;
	const timed = await Promise.allSettled(
		clients.map(async (client, index) =>
			timeEndpoint(client, reports[index]!.model!, texts, {...options, from, to, rounds, signal: stop.signal}).catch((error: unknown) => {
				failure ??= {error};
				stop.abort();
				throw error;
			}),
		),
	);
	if (failure) {
		throw failure.error;
	}

	const endpoints = timed.map(result => (result as PromiseFulfilledResult<EndpointTiming>).value);
	return {
		textsPerSecond: endpoints.reduce((sum, endpoint) => sum + endpoint.textsPerSecond, 0),
		texts: endpoints.reduce((sum, endpoint) => sum + endpoint.texts, 0),
		inFlight: Math.max(...endpoints.map(endpoint => endpoint.inFlight)),
		dimension: reports[0]!.dimension!,
		endpoints,
	};
}
