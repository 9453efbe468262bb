import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {after, describe, it} from 'node:test';
import {UsageError} from '../../../source/engine/errors.js';
import {runPlan} from '../../../source/engine/ops/plan.js';
import {openWorkspace} from '../../../source/engine/workspace.js';
import {startFaultServer, type FaultServer} from '../../helpers/fault-server.js';
import {demoWorkspace, dumpBotTables} from '../../helpers/workspace.js';

const servers: FaultServer[] = [];
after(async () => Promise.all(servers.map(async server => server.close())));

async function server(latencyMs: number, dimension = 48, slots?: number, overloadAbove?: number): Promise<FaultServer> {
	const started = await startFaultServer({dimension, latencyMs, slots, overloadAbove});
	servers.push(started);
	return started;
}

describe('plan through embedding servers', () => {
	it('refuses a bad --endpoint value before probing anything (exit 2, names the value)', async () => {
		const paths = await demoWorkspace({messages: 50});
		await assert.rejects(runPlan(openWorkspace(paths.root), {remote: {endpoint: 'http://127.0.0.1:9/v1,gpu2:8000'}}), (error: unknown) => {
			assert.ok(error instanceof UsageError);
			assert.equal(error.message, '--endpoint: "gpu2:8000" is not an http(s) URL');
			return true;
		});
	});

	it('reports a refused endpoint as a risk with no estimate, and writes nothing', async () => {
		const paths = await demoWorkspace({messages: 120});
		const wrong = await server(0, 32);
		const before = {settings: readFileSync(paths.settings, 'utf8'), tables: dumpBotTables(paths.database)};
		const plan = await runPlan(openWorkspace(paths.root), {remote: {endpoint: wrong.url}, batchSize: 8});
		assert.equal(plan.probe, undefined);
		assert.match(plan.probeSkipped ?? '', new RegExp(`the endpoints were not timed: embedding endpoint ${wrong.url} cannot be used: answers 32-d vectors, the target is 48-d`));
		assert.ok(plan.risks.some(risk => risk.includes(wrong.url)), plan.risks.join('\n'));
		assert.equal(readFileSync(paths.settings, 'utf8'), before.settings);
		assert.deepEqual(dumpBotTables(paths.database), before.tables);
	});

	it("times the endpoints, not the local model: in flight climbs as the pool's own do, so a 200 ms server gives batch × 16 / 0.2 s, and two give twice that", async () => {
		const paths = await demoWorkspace({messages: 300});
		const [first, second] = [await server(200), await server(200)];
		const workspace = openWorkspace(paths.root);
		const one = await runPlan(workspace, {remote: {endpoint: first.url}, batchSize: 16});
		const ideal = (16 * 16) / 0.2;
		assert.ok(one.probe?.endpoints, `timed through the endpoint: ${one.probeSkipped}`);
		assert.equal(one.probe.device, '1 endpoint');
		assert.equal(one.probe.inFlight, 16, 'a server that answers every request at once in 200 ms is timed at the pool\'s most');
		assert.equal(one.probe.endpoints[0]!.inFlight, 16);
		assert.equal(one.target.dimension, 48);
		const rate = one.probe.textsPerSecond;
		assert.ok(rate > 0.6 * ideal && rate <= 1.05 * ideal, `one endpoint: ${rate.toFixed(1)}/s, ideal ${ideal}/s`);
		assert.ok(Math.abs(one.probe.estimatedSeconds - one.counts.remaining / rate) < 1e-6);
		assert.equal(first.maxConcurrent, 16, `requests were in flight together (${first.maxConcurrent}), never more than the pool's 16`);

		const two = await runPlan(workspace, {remote: {endpoint: `${first.url},${second.url}`}, batchSize: 16});
		assert.equal(two.probe?.endpoints?.length, 2);
		assert.equal(two.probe.device, '2 endpoints');
		const together = two.probe.textsPerSecond;
		assert.ok(together > 1.7 * rate, `two endpoints: ${together.toFixed(1)}/s vs one ${rate.toFixed(1)}/s`);
		assert.ok(Math.abs(together - two.probe.endpoints.reduce((sum, endpoint) => sum + endpoint.textsPerSecond, 0)) < 1e-6, 'the estimate is the endpoints\' rates added');
	});

	it('stops climbing where the server saturates: 4 slots of 200 ms are timed at 4 in flight, 16 × 4 / 0.2 s', async () => {
		const paths = await demoWorkspace({messages: 300});
		const limited = await server(200, 48, 4);
		const plan = await runPlan(openWorkspace(paths.root), {remote: {endpoint: limited.url}, batchSize: 16});
		assert.ok(plan.probe?.endpoints, `timed through the endpoint: ${plan.probeSkipped}`);
		const ideal = (16 * 4) / 0.2;
		const rate = plan.probe.textsPerSecond;
		assert.ok(rate > 0.6 * ideal && rate <= 1.05 * ideal, `4 slots: ${rate.toFixed(1)}/s, ideal ${ideal}/s`);
		assert.equal(plan.probe.inFlight, 4, 'the fastest level is the server\'s own slot count');
		assert.ok(limited.maxConcurrent <= 8, `the climb stopped after the first level without gain (${limited.maxConcurrent} at once)`);
	});

	it('keeps the fastest level timed when a higher one is refused (429 overloaded above 4 at once): the estimate stands at 4 in flight', async () => {
		const paths = await demoWorkspace({messages: 300});
		const overloaded = await server(200, 48, undefined, 4);
		const plan = await runPlan(openWorkspace(paths.root), {remote: {endpoint: overloaded.url}, batchSize: 16});
		assert.ok(plan.probe?.endpoints, `timed through the endpoint: ${plan.probeSkipped}`);
		assert.equal(plan.probe.inFlight, 4, 'the most the server took at once');
		const ideal = (16 * 4) / 0.2;
		const rate = plan.probe.textsPerSecond;
		assert.ok(rate > 0.6 * ideal && rate <= 1.05 * ideal, `overloaded above 4: ${rate.toFixed(1)}/s, ideal ${ideal}/s`);
		assert.ok(plan.risks.some(risk => risk.includes(overloaded.url) && /at 8 requests in flight: .*429.*overloaded/i.test(risk)), plan.risks.join('\n'));
	});

	it('stops timing every endpoint once one fails: no requests go on in the background after plan returns', async () => {
		const paths = await demoWorkspace({messages: 300});
		const good = await server(200);
		const refusing = await startFaultServer({dimension: 48, maxBatch: 4});
		servers.push(refusing);
		const plan = await runPlan(openWorkspace(paths.root), {remote: {endpoint: `${good.url},${refusing.url}`}, batchSize: 16});
		assert.equal(plan.probe, undefined);
		assert.match(plan.probeSkipped ?? '', /HTTP 413/);
		const settled = good.requests;
		await new Promise(resolve => setTimeout(resolve, 1000));
		assert.equal(good.requests, settled, `the good endpoint got ${good.requests - settled} more requests after plan returned`);
	});

	it('words a failure at a higher level as what it was, not as a refusal', async () => {
		const paths = await demoWorkspace({messages: 300});
		const flaky = await startFaultServer({dimension: 48, latencyMs: 200, overloadAbove: 4});
		servers.push(flaky);
		const plan = await runPlan(openWorkspace(paths.root), {remote: {endpoint: flaky.url}, batchSize: 16});
		const risk = plan.risks.find(text => text.includes(flaky.url)) ?? '';
		assert.match(risk, /^endpoint \S+ at 8 requests in flight: .*HTTP 429 Model is overloaded; timed at 4$/);
	});
});
