import assert from 'node:assert/strict';
import {after, describe, it} from 'node:test';
import {inspect} from 'node:util';
import {AppError, exitCodes} from '../../../source/engine/errors.js';
import {EmbeddingClient} from '../../../source/engine/remote/client.js';
import {apiKeyFrom, openRemoteBackend, parseEndpointList} from '../../../source/engine/remote/open-backend.js';
import type {PoolEvent} from '../../../source/engine/remote/pool.js';
import {describeEndpoints} from '../../../source/engine/remote/probe.js';
import {faultServersClosedAfter} from '../../helpers/fault-server.js';

const serverWith = faultServersClosedAfter(after);

const base = {targetModel: 'Qwen/Qwen3-Embedding-0.6B', maxTokens: 512};

async function refusal(promise: Promise<unknown>): Promise<AppError> {
	try {
		await promise;
	} catch (error) {
		assert.ok(error instanceof AppError, `an AppError, got ${String(error)}`);
		return error;
	}

	assert.fail('expected a refusal');
}

describe('probe before anything is written', () => {
	it('refuses an endpoint whose dimension is not the target\'s, with exit 2 naming it', async () => {
		const good = await serverWith({dimension: 48});
		const wrong = await serverWith({dimension: 32});
		const error = await refusal(openRemoteBackend({...base, endpoints: [good.url, wrong.url], expectedDimension: 48}));
		assert.equal(error.exitCode, exitCodes.config);
		assert.equal(error.message, `embedding endpoint ${wrong.url} cannot be used: answers 32-d vectors, the target is 48-d`);
		assert.match(error.hint ?? '', /drop it from --endpoint/);
	});

	it('refuses vectors that are not unit length', async () => {
		const server = await serverWith({dimension: 48, unnormalised: true});
		const error = await refusal(openRemoteBackend({...base, endpoints: [server.url], expectedDimension: 48}));
		assert.match(error.message, /its vectors are not unit length/);
	});

	it('describes each endpoint for check: reachable, model, dimension, latency', async () => {
		const server = await serverWith({dimension: 48, model: 'qwen3-embedding:0.6b'});
		const closed = await serverWith({});
		await closed.close();
		const reports = await describeEndpoints([server.url, closed.url].map(baseUrl => new EmbeddingClient({baseUrl})), {targetModel: base.targetModel, expectedDimension: 48});
		assert.equal(reports[0]!.reachable, true);
		assert.equal(reports[0]!.model, 'qwen3-embedding:0.6b');
		assert.equal(reports[0]!.dimension, 48);
		assert.ok(reports[0]!.latencyMs! >= 0);
		assert.equal(reports[0]!.problem, undefined);
		assert.equal(reports[1]!.reachable, false);
		assert.match(reports[1]!.problem!, /GET \/models: connection refused \(is the server running\?\)/);
	});

	it('takes endpoints from repeated or comma-separated values and refuses credentials in a URL', () => {
		assert.deepEqual(parseEndpointList(['http://a:8000/v1/, http://b:8000/v1', 'http://a:8000/v1', undefined]), ['http://a:8000/v1', 'http://b:8000/v1']);
		assert.throws(() => parseEndpointList(['http://user:secret@a/v1']), /carries credentials in the URL/);
		assert.throws(() => parseEndpointList(['gpu1:8000']), /is not an http\(s\) URL/);
		assert.equal(apiKeyFrom({MY_KEY: 'k', OPENAI_API_KEY: 'o'}, 'MY_KEY'), 'k');
		assert.equal(apiKeyFrom({OPENAI_API_KEY: 'o'}, null), 'o');
	});
});

describe('the API key', () => {
	const key = 'sk-test-NEVER-PRINT-ME-0123456789';

	it('is sent as a bearer token and a wrong one is refused naming the endpoint, not the key', async () => {
		const server = await serverWith({dimension: 48, requiredKey: 'another-key', echoAuthorization: true});
		const error = await refusal(openRemoteBackend({...base, endpoints: [server.url], expectedDimension: 48, apiKey: key}));
		assert.equal(error.exitCode, exitCodes.config);
		assert.match(error.message, new RegExp(`^embedding endpoint ${server.url.replaceAll('.', '\\.')} cannot be used: GET /models: HTTP 401 invalid api key \\(you sent Bearer \\*\\*\\*\\) \\(the API key was refused\\)$`));
		for (const text of [error.message, error.hint, error.stack, JSON.stringify(error)]) {
			assert.ok(!String(text).includes(key), `the key leaked into: ${text}`);
		}

		const client = new EmbeddingClient({baseUrl: 'http://127.0.0.1:1/v1', apiKey: key});
		assert.ok(!JSON.stringify(client).includes(key) && !inspect(client, {depth: 5, showHidden: true}).includes(key), 'a dump of the client shows the key');
		const right = await serverWith({dimension: 48, requiredKey: key});
		const {backend, reports} = await openRemoteBackend({...base, endpoints: [right.url], expectedDimension: 48, apiKey: key});
		assert.equal(reports[0]!.dimension, 48);
		await backend.close();
	});

	it('appears in no event, error, report or stats while servers echo it back in failures', async () => {
		const echoing = await serverWith({dimension: 48, requiredKey: key, echoAuthorization: true, errorRate: 0.3, rateLimitEvery: 5, maxBatch: 3, seed: 3});
		const events: PoolEvent[] = [];
		const {backend, reports} = await openRemoteBackend({
			...base,
			endpoints: [echoing.url],
			expectedDimension: 48,
			apiKey: key,
			pool: {backoffBaseMs: 2, backoffMaxMs: 10, failuresToTakeOut: 100, maxAttempts: 2, onEvent: event => events.push(event)},
		});
		const outcomes = await Promise.allSettled(Array.from({length: 12}, async (_batch, index) => backend.embed([`a${index}`, `b${index}`, `c${index}`, `d${index}`])));
		const errors = outcomes.filter(outcome => outcome.status === 'rejected').map(outcome => outcome.reason as Error);
		assert.ok(errors.length > 0 || backend.endpointStats()[0]!.errors > 0, 'the server did fail requests');
		const seen = JSON.stringify({events, reports, stats: backend.endpointStats(), errors: errors.map(error => [error.message, error.stack, (error as AppError).hint])});
		assert.ok(seen.includes('Bearer ***') || seen.includes('HTTP 413'), 'the echoed header was seen and redacted');
		assert.ok(!seen.includes(key), 'the key leaked');
		await backend.close();
	});
});
