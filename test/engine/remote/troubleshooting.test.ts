import assert from 'node:assert/strict';
import {after, describe, it} from 'node:test';
import {matchProblem} from '../../../source/engine/diagnosis/catalogue.js';
import {AppError, exitCodes} from '../../../source/engine/errors.js';
import {logText} from '../../../source/engine/log/messages.js';
import {EmbeddingClient} from '../../../source/engine/remote/client.js';
import {openRemoteBackend} from '../../../source/engine/remote/open-backend.js';
import {EndpointPool, type PoolEvent} from '../../../source/engine/remote/pool.js';
import {faultServersClosedAfter} from '../../helpers/fault-server.js';

const serverWith = faultServersClosedAfter(after);

const base = {targetModel: 'Qwen/Qwen3-Embedding-0.6B', maxTokens: 512, expectedDimension: 48};

/** What the run reports when it opens these endpoints: the refusal, as the user sees it. */
async function refusalOpening(options: Partial<Parameters<typeof openRemoteBackend>[0]> & {endpoints: string[]}): Promise<AppError> {
	try {
		const {backend} = await openRemoteBackend({...base, ...options});
		await backend.close();
	} catch (error) {
		assert.ok(error instanceof AppError, `an AppError, got ${String(error)}`);
		return error;
	}

	return assert.fail('expected a refusal');
}

describe('endpoint problems in the troubleshooting catalogue', () => {
	it('a refused key: exit 2, code endpoint, names the variable and never the key; the catalogue knows it', async () => {
		const key = 'sk-real-0123456789';
		const server = await serverWith({dimension: 48, requiredKey: key, echoAuthorization: true});
		const error = await refusalOpening({endpoints: [server.url], apiKey: 'sk-wrong-key-42', apiKeyEnv: 'PIGPIG_EMBED_KEY'});
		assert.equal(error.code, 'endpoint');
		assert.equal(error.exitCode, exitCodes.config);
		assert.ok(error.message.startsWith(`embedding endpoint ${server.url} cannot be used: `), error.message);
		assert.match(error.message, /HTTP 401/);
		assert.match(error.hint ?? '', /PIGPIG_EMBED_KEY/);
		assert.ok(!`${error.message} ${error.hint}`.includes('sk-wrong-key-42'), 'the key is in neither the message nor the fix');
		const problem = matchProblem(error.message);
		assert.equal(problem?.id, 'endpoint-auth');
		assert.match(problem.command, /OPENAI_API_KEY/);
		assert.match(problem.command, /api_key_env/);
	});

	it('an unreachable endpoint: exit 2 naming it, with the start-the-server fix; the catalogue knows it', async () => {
		const closed = await serverWith({});
		await closed.close();
		const error = await refusalOpening({endpoints: [closed.url]});
		assert.equal(error.code, 'endpoint');
		assert.equal(error.exitCode, exitCodes.config);
		assert.match(error.message, new RegExp(`^embedding endpoint ${closed.url} cannot be used: .*connection refused`));
		assert.match(error.hint ?? '', /start the server/);
		assert.equal(matchProblem(error.message)?.id, 'endpoint-unreachable');
	});

	it('a wrong dimension: exit 2 naming the endpoint; the catalogue says endpoint dimension, not the generic mismatch', async () => {
		const wrong = await serverWith({dimension: 32});
		const error = await refusalOpening({endpoints: [wrong.url]});
		assert.equal(error.code, 'endpoint');
		assert.equal(error.exitCode, exitCodes.config);
		assert.equal(error.message, `embedding endpoint ${wrong.url} cannot be used: answers 32-d vectors, the target is 48-d`);
		assert.equal(matchProblem(error.message)?.id, 'endpoint-dimension');
	});

	it('a 429 storm and an endpoint taken out: the pool\'s own log lines are recognised as those problems', async () => {
		const limited = await serverWith({dimension: 48, rateLimitEvery: 1, retryAfterSeconds: 0.05});
		const dead = await serverWith({dimension: 48});
		await dead.close();
		const events: PoolEvent[] = [];
		const clients = [limited.url, dead.url].map(baseUrl => new EmbeddingClient({baseUrl, timeoutMs: 2000}));
		const pool = new EndpointPool(
			clients.map(client => ({client, model: 'm'})),
			{dimension: 48, failuresToTakeOut: 1, maxAttempts: 2, maxTimesOut: 1, backoffBaseMs: 1, backoffMaxMs: 5, onEvent: event => events.push(event)},
		);
		await assert.rejects(pool.embed(['one', 'two']));
		await pool.close();
		const rateLimited = events.find(event => event.type === 'endpoint:rate-limited');
		const takenOut = events.find(event => event.type === 'endpoint:out');
		assert.ok(rateLimited && takenOut, JSON.stringify(events));
		assert.equal(matchProblem(rateLimited.message)?.id, 'endpoint-rate-limited');
		assert.equal(matchProblem(takenOut.message)?.id, 'endpoint-out');
		assert.ok(takenOut.message.startsWith('嵌入端點暫停使用'), 'the log line comes from log/messages.ts');
	});

	it('an endpoint removed for a refused key is the key problem, the more useful fix', () => {
		const line = logText.endpointRemoved('http://gpu1:8000/v1', 'embedding endpoint http://gpu1:8000/v1: POST /embeddings: HTTP 401 bad key (the API key was refused)');
		assert.equal(matchProblem(line)?.id, 'endpoint-auth');
	});
});
