/**
 * Scale-out bench: throughput of the remote backend over 1, 2 and 4 fake embedding endpoints,
 * each answering after a fixed latency per request (so a server does the same work at any load),
 * driven the way the embed loop should drive it: as many batches in flight as `backend.capacity`.
 * Throughput should grow to ≥ 0.9 × N of one endpoint while the client is not the limit; the
 * client's own CPU share is printed so a miss can be told apart from a saturated client.
 *
 *   npx tsc -p tsconfig.json && node .build/source/bench/endpoints.js [--latency-ms=400] [--seconds=3]
 */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {openRemoteBackend} from '../engine/remote/open-backend.js';

const flag = (name: string, fallback: number) => Number(process.argv.find(argument => argument.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
// 400 ms: a loaded GPU server's answer for 32 texts; much shorter and this shared test machine's
// CPU (not the client's design) becomes the limit — client CPU is printed to tell which.
const latencyMs = flag('latency-ms', 400);
const seconds = flag('seconds', 3);
const batchSize = 32;
const dimension = 64;

/** A server whose only cost is its latency: the answer for a batch size is built once. */
async function fakeEndpoint(): Promise<{url: string; server: Server}> {
	const vector = Array.from({length: dimension}, (_value, index) => (index === 0 ? 1 : 0));
	const answers = new Map<number, string>();
	const server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			if (request.method === 'GET') {
				response.end(JSON.stringify({data: [{id: 'Qwen/Qwen3-Embedding-0.6B'}]}));
				return;
			}

			const count = (JSON.parse(Buffer.concat(chunks).toString()) as {input: string[]}).input.length;
			const answer = answers.get(count) ?? JSON.stringify({data: Array.from({length: count}, (_item, index) => ({index, embedding: vector}))});
			answers.set(count, answer);
			setTimeout(() => response.end(answer), latencyMs);
		});
	});
	server.keepAliveTimeout = 60_000;
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server};
}

/** Texts per second over `seconds`, after a warm-up that lets each endpoint's slots grow. */
async function measure(endpointCount: number): Promise<{rate: number; clientCpu: number; inFlight: number; loopDelayMs: number}> {
	const endpoints = await Promise.all(Array.from({length: endpointCount}, fakeEndpoint));
	const {backend} = await openRemoteBackend({endpoints: endpoints.map(endpoint => endpoint.url), targetModel: 'Qwen/Qwen3-Embedding-0.6B', expectedDimension: dimension, maxTokens: 512});
	let next = 0;
	let done = 0;
	let stopAt = Date.now() + 1000 + seconds * 1000;
	const submitOne = async (): Promise<void> => {
		const texts = Array.from({length: batchSize}, (_text, index) => `message ${next} ${index} with a few words of chat`);
		next++;
		await backend.embedBatch(await backend.tokenizeAsync(texts));
		done += batchSize;
	};

	// The embed loop's part: keep `backend.capacity` batches in flight, re-read after every answer.
	let inFlight = 0;
	let measuredFrom = 0;
	let cpuFrom = process.cpuUsage();
	// A late event loop means the client (or this machine) is the limit, not the endpoints.
	const loopDelay = monitorEventLoopDelay({resolution: 5});
	setTimeout(() => {
		measuredFrom = done;
		cpuFrom = process.cpuUsage();
		loopDelay.enable();
		stopAt = Date.now() + seconds * 1000;
	}, 1000);
	await new Promise<void>(resolve => {
		const fill = () => {
			while (Date.now() < stopAt && inFlight < backend.capacity) {
				inFlight++;
				void submitOne().finally(() => {
					inFlight--;
					fill();
				});
			}

			if (inFlight === 0 && Date.now() >= stopAt) {
				resolve();
			}
		};

		fill();
	});
	const cpu = process.cpuUsage(cpuFrom);
	const result = {rate: (done - measuredFrom) / seconds, clientCpu: (cpu.user + cpu.system) / 1e6 / seconds, inFlight: backend.capacity, loopDelayMs: loopDelay.percentile(99) / 1e6};
	loopDelay.disable();
	await backend.close();
	await Promise.all(endpoints.map(async endpoint => new Promise(resolve => endpoint.server.close(resolve))));
	return result;
}

const results = new Map<number, Awaited<ReturnType<typeof measure>>>();
console.log(`endpoints bench: ${latencyMs} ms per request, batches of ${batchSize}, ${dimension}-d, ${seconds} s measured per row`);
for (const count of [1, 2, 4]) {
	const result = await measure(count);
	results.set(count, result);
	const ratio = result.rate / (count * results.get(1)!.rate);
	console.log(`  ${count} endpoint${count > 1 ? 's' : ' '}: ${result.rate.toFixed(0).padStart(6)} texts/s, ${(ratio * count).toFixed(2)} × one endpoint = ${ratio.toFixed(2)} of ${count} × (target ≥ 0.90), in flight ${result.inFlight}, client CPU ${(result.clientCpu * 100).toFixed(0)}%, event-loop delay p99 ${result.loopDelayMs.toFixed(0)} ms`);
}
