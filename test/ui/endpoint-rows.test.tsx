import assert from 'node:assert/strict';
import {after, describe, it} from 'node:test';
import {renderToString} from 'ink';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {chooseEmbeddingBackend} from '../../source/commands/shared/embedding-backend.js';
import {ControlClient} from '../../source/engine/control/client.js';
import {ControlServer} from '../../source/engine/control/server.js';
import {RunControl} from '../../source/engine/migration/control.js';
import {MigrationEvents, type EndpointFigures, type MigrationEventMap} from '../../source/engine/migration/events.js';
import {FaultInjector} from '../../source/engine/migration/faults.js';
import {Migration} from '../../source/engine/migration/migration.js';
import {openWorkspace} from '../../source/engine/workspace.js';
import {Dashboard} from '../../source/ui/components/Dashboard.js';
import type {Theme} from '../../source/ui/components/theme.js';
import {strings} from '../../source/ui/i18n.js';
import {reduce, type DashboardState} from '../../source/ui/state.js';
import {startFaultServer, type FaultServer} from '../helpers/fault-server.js';
import {makeTempDir} from '../helpers/temp.js';
import {demoWorkspace} from '../helpers/workspace.js';
import {engine, midMigration, t0} from './fixtures.js';

const servers: FaultServer[] = [];
after(async () => Promise.all(servers.map(async server => server.close())));

const theme = (language: 'en' | 'zh'): Theme => ({color: false, unicode: true, strings: strings(language), language});
const frame = (state: DashboardState, columns: number, rows: number, language: 'en' | 'zh' = 'en') =>
	renderToString(<Dashboard state={state} columns={columns} rows={rows} theme={theme(language)} workspace="/srv/pigpig" />, {columns}).split('\n');

const figures = (url: string, overrides: Partial<EndpointFigures> = {}): EndpointFigures => ({url, state: 'up', retrying: false, inFlight: 2, slots: 4, texts: 0, errors: 0, latencyMs: 120, ...overrides});
const stats = (state: DashboardState, endpoints: EndpointFigures[], now: number) => reduce(state, engine({name: 'endpoint:stats', payload: {endpoints}}, now));

describe('dashboard endpoint rows', () => {
	it('shows no endpoint panel for a local run', () => {
		const text = frame(midMigration(), 120, 40).join('\n');
		assert.doesNotMatch(text, /Endpoints/);
	});

	it('derives each endpoint\'s rate from two readings and names its state: working, retrying, taken out', () => {
		const a = 'http://gpu1:8000/v1';
		const b = 'http://gpu2:8000/v1';
		const c = 'http://gpu3:8000/v1';
		let state = stats(midMigration(), [figures(a), figures(b), figures(c)], t0 + 30_000);
		assert.equal(state.endpoints[0]!.rate, undefined, 'one reading gives no rate');
		state = stats(state, [figures(a, {texts: 400}), figures(b, {texts: 100, retrying: true, errors: 3}), figures(c, {state: 'out', errors: 9})], t0 + 32_000);
		assert.deepEqual(
			state.endpoints.map(row => [row.state, row.rate, row.errors]),
			[['working', 200, 0], ['retrying', 50, 3], ['taken-out', 0, 9]],
		);
		const next = stats(state, [figures(a, {texts: 401})], t0 + 32_100);
		assert.equal(next.endpoints[0]!.rate, 200, 'a reading 100 ms later keeps the rate (no jump on a burst)');
		assert.equal(next.endpoints.length, 1, 'the rows are the latest reading\'s endpoints');
	});

	it('draws a row per endpoint above the log, within the frame, in English and Chinese, at 80×30 and 120×40', () => {
		let state = stats(midMigration(), [figures('http://gpu1:8000/v1'), figures('http://gpu2:8000/v1')], t0 + 30_000);
		state = stats(state, [figures('http://gpu1:8000/v1', {texts: 300, inFlight: 3}), figures('http://gpu2:8000/v1', {state: 'removed', errors: 12, latencyMs: undefined})], t0 + 31_000);
		for (const [columns, rows] of [[80, 30], [120, 40]] as const) {
			const lines = frame(state, columns, rows);
			assert.ok(lines.length <= rows - 1, `${columns}×${rows}: ${lines.length} lines`);
			const text = lines.join('\n');
			assert.match(text, /Endpoints \(2\)/);
			assert.match(text, /gpu1:8000 +working {2}3\/4 in flight {2}300\/s {2}0 errors {2}120 ms/);
			assert.match(text, /gpu2:8000 +taken out {2}2\/4 in flight {2}0\.0\/s {2}12 errors {2}—/);
			assert.match(text, /Log \(errors & warnings\)/, 'the log keeps its panel');
		}

		const chinese = frame(state, 120, 40, 'zh').join('\n');
		assert.match(chinese, /嵌入端點 \(2\)/);
		assert.match(chinese, /gpu1:8000 +運作中 {2}進行中 3\/4 {2}300\/秒 {2}錯誤 0 {2}延遲 120 ms/);
		assert.match(chinese, /暫停使用/);
		assert.doesNotMatch(chinese, /working|taken out|in flight/);
	});

	it('folds the rows into one line when they do not fit, and leaves the log alone at 80×24', () => {
		let state = midMigration();
		for (const [index, texts] of [0, 200].entries()) {
			state = stats(state, [figures('http://gpu1:8000/v1', {texts}), figures('http://gpu2:8000/v1', {texts, retrying: true}), figures('http://gpu3:8000/v1', {state: 'out'})], t0 + 30_000 + index * 1000);
		}

		const tight = frame(state, 80, 26);
		assert.ok(tight.length <= 25);
		assert.match(tight.join('\n'), /Endpoints \(3\)[\s\S]*working 1 · retrying 1 · taken out 1 · total 400\/s/);
		assert.match(tight.join('\n'), /Log \(errors & warnings\)/);
		const smallest = frame(state, 80, 24).join('\n');
		assert.doesNotMatch(smallest, /Endpoints/, 'under 4 log lines the log keeps its room');
		assert.match(smallest, /批次遷移失敗/);
	});

	it('gets its rows from a real remote run: every endpoint reported, the dead one taken out', async () => {
		const paths = await demoWorkspace({messages: 300});
		const steady = await startFaultServer({dimension: 48, latencyMs: 2});
		const dying = await startFaultServer({dimension: 48, dieAfter: 2});
		servers.push(steady, dying);
		const workspace = openWorkspace(paths.root);
		const backend = chooseEmbeddingBackend(workspace.memory, {endpoint: `${steady.url},${dying.url}`}, {}, () => undefined);
		const migration = new Migration({workspace, faults: new FaultInjector([]), loadEmbedder: backend.loadEmbedder});
		backend.attach(migration.events);
		const readings: Array<MigrationEventMap['endpoint:stats']> = [];
		migration.events.on('endpoint:stats', payload => readings.push(payload));
		const outcome = await migration.run();
		assert.equal(outcome.status, 'done');
		assert.ok(readings.length > 0, 'the run reported its endpoints');
		const last = readings.at(-1)!.endpoints;
		assert.deepEqual(last.map(row => row.url), [steady.url, dying.url]);
		assert.ok(last[0]!.texts > 0, 'the steady endpoint embedded texts');
		assert.ok(readings.some(reading => reading.endpoints[1]!.state !== 'up'), 'the dead endpoint was shown taken out');
		const state = readings.reduce((current, payload, index) => stats(current, payload.endpoints, t0 + index * 1000), midMigration());
		assert.match(frame(state, 120, 40).join('\n'), /Endpoints \(2\)/);
	});

	it('reaches a dashboard attached over the control channel', async () => {
		const events = new MigrationEvents();
		const server = await ControlServer.listen(path.join(makeTempDir('qwen3-ctl-'), 'control.sock'), {control: new RunControl(32, events), events});
		const client = await ControlClient.connect(server.socketPath, {readOnly: true});
		try {
			const seen: Array<MigrationEventMap['endpoint:stats']> = [];
			client.events.on('endpoint:stats', payload => seen.push(payload));
			const payload = {endpoints: [figures('http://gpu1:8000/v1', {texts: 12, state: 'out' as const})]};
			for (let attempt = 0; attempt < 100 && seen.length === 0; attempt++) {
				events.emit('endpoint:stats', payload);
				await sleep(20);
			}

			assert.deepEqual(seen[0], payload);
		} finally {
			client.close();
			await server.close();
		}
	});
});
