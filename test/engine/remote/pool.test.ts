import assert from 'node:assert/strict';
import {after, describe, it} from 'node:test';
import {EmbeddingClient} from '../../../source/engine/remote/client.js';
import {EndpointPool, type PoolEvent, type PoolOptions} from '../../../source/engine/remote/pool.js';
import {EndpointsExhaustedError} from '../../../source/engine/remote/remote-errors.js';
import {expectedVector, faultServersClosedAfter} from '../../helpers/fault-server.js';

const serverWith = faultServersClosedAfter(after, {dimension: 16});

function poolOver(urls: string[], events: PoolEvent[], options: Partial<PoolOptions> = {}, timeoutMs = 2000): EndpointPool {
	const endpoints = urls.map(baseUrl => ({client: new EmbeddingClient({baseUrl, timeoutMs}), model: 'Qwen/Qwen3-Embedding-0.6B'}));
	return new EndpointPool(endpoints, {dimension: 16, backoffBaseMs: 5, backoffMaxMs: 50, cooldownMs: 100, onEvent: event => events.push(event), ...options});
}

const batchesOf = (count: number, size: number) =>
	Array.from({length: count}, (_batch, batch) => Array.from({length: size}, (_text, index) => `message ${batch}-${index}`));

function assertVectors(texts: string[], vectors: Float32Array[]): void {
	assert.equal(vectors.length, texts.length);
	for (const [index, text] of texts.entries()) {
		assert.deepEqual(Array.from(vectors[index]!), Array.from(expectedVector(text, 16)), `vector of ${text}`);
	}
}

describe('endpoint pool against fault servers', () => {
	it('waits out Retry-After on 429 before trying that endpoint again', async () => {
		const server = await serverWith({rateLimitEvery: 2, retryAfterSeconds: 0.3});
		const events: PoolEvent[] = [];
		const pool = poolOver([server.url], events);
		await pool.embed(['first']);
		const started = Date.now();
		const vectors = await pool.embed(['second']);
		assert.ok(Date.now() - started >= 280, `retried after ${Date.now() - started} ms, Retry-After said 300`);
		assertVectors(['second'], vectors);
		assert.ok(events.some(event => event.type === 'endpoint:rate-limited' && event.message.includes('429')));
		await pool.close();
	});

	it('retries random 500s with backoff and answers every batch with the right vectors', async () => {
		const flaky = await Promise.all([serverWith({errorRate: 0.3, seed: 1}), serverWith({errorRate: 0.3, seed: 2})]);
		const pool = poolOver(flaky.map(server => server.url), [], {failuresToTakeOut: 50});
		const batches = batchesOf(30, 4);
		const results = await Promise.all(batches.map(async texts => pool.embed(texts)));
		for (const [index, texts] of batches.entries()) {
			assertVectors(texts, results[index]!);
		}

		assert.ok(pool.stats().reduce((sum, stats) => sum + stats.errors, 0) > 0, 'the servers did fail some requests');
		await pool.close();
	});

	it('halves an endpoint\'s batch on 413 and still answers the whole batch', async () => {
		const server = await serverWith({maxBatch: 4});
		const events: PoolEvent[] = [];
		const pool = poolOver([server.url], events);
		const [texts] = batchesOf(1, 16);
		assertVectors(texts!, await pool.embed(texts!));
		assert.deepEqual(events.filter(event => event.type === 'endpoint:batch:halve').map(event => event.message), [
			`嵌入端點批次減半: ${server.url} 16 -> 8`,
			`嵌入端點批次減半: ${server.url} 8 -> 4`,
		]);
		assert.equal(pool.stats()[0]!.maxRows, 4);
		assert.deepEqual([...server.embedded].sort(), [...texts!].sort(), 'each text answered once');
		await pool.close();
	});

	it('takes out an endpoint that dies mid-run, logs it, and finishes on the other', async () => {
		const dying = await serverWith({dieAfter: 3, latencyMs: 5});
		const healthy = await serverWith({latencyMs: 5});
		const events: PoolEvent[] = [];
		const pool = poolOver([dying.url, healthy.url], events, {failuresToTakeOut: 2, cooldownMs: 60_000});
		const batches = batchesOf(40, 3);
		const results = await Promise.all(batches.map(async texts => pool.embed(texts)));
		for (const [index, texts] of batches.entries()) {
			assertVectors(texts, results[index]!);
		}

		const out = events.find(event => event.type === 'endpoint:out');
		assert.ok(out, 'the dead endpoint was taken out');
		assert.equal(out.endpoint, dying.url);
		assert.match(out.message, new RegExp(`^嵌入端點暫停使用: ${dying.url.replaceAll('.', '\\.')} \\(.+\\)，60 秒後重試$`));
		assert.equal(pool.stats()[0]!.state, 'out');
		await pool.close();
	});

	it('times out a hanging endpoint, takes it out, and finishes on the other', async () => {
		const hanging = await serverWith({latencyMs: 2000});
		const healthy = await serverWith({});
		const events: PoolEvent[] = [];
		const pool = poolOver([hanging.url, healthy.url], events, {failuresToTakeOut: 2, cooldownMs: 60_000}, 150);
		const batches = batchesOf(10, 2);
		const results = await Promise.all(batches.map(async texts => pool.embed(texts)));
		for (const [index, texts] of batches.entries()) {
			assertVectors(texts, results[index]!);
		}

		const out = events.find(event => event.type === 'endpoint:out');
		assert.equal(out?.endpoint, hanging.url);
		assert.match(out.message, /no answer within 0\.15 s/);
		await pool.close();
	});

	it('fails clearly, naming the endpoint, when no endpoint is left', async () => {
		const dying = await serverWith({dieAfter: 0});
		const pool = poolOver([dying.url], [], {failuresToTakeOut: 1, maxTimesOut: 1, cooldownMs: 20});
		await assert.rejects(pool.embed(['a', 'b']), (error: unknown) => {
			assert.ok(error instanceof EndpointsExhaustedError);
			assert.match(error.message, /^no embedding endpoint is left: embedding endpoint http:\/\/127\.0\.0\.1:\d+\/v1: POST \/embeddings: connection/);
			assert.match(error.hint ?? '', /run `migrate` again to resume/);
			return true;
		});
		assert.equal(pool.stats()[0]!.state, 'removed');
		await pool.close();
	});

	it('keeps several requests in flight on every endpoint at once', async () => {
		const slow = await Promise.all([serverWith({latencyMs: 40}), serverWith({latencyMs: 40})]);
		const pool = poolOver(slow.map(server => server.url), [], {initialInFlight: 4});
		await Promise.all(batchesOf(24, 2).map(async texts => pool.embed(texts)));
		for (const server of slow) {
			assert.ok(server.maxConcurrent >= 3, `one endpoint saw at most ${server.maxConcurrent} requests at once`);
			assert.ok(server.requests >= 6, 'both endpoints got work');
		}

		assert.ok(pool.capacity >= 8, `capacity ${pool.capacity}`);
		await pool.close();
	});
});
