/**
 * Benchmark child: runs one migration in this process and prints a JSON line with its embed-phase
 * throughput, peak RSS and the worst event-loop delay seen. A separate process per measurement
 * keeps the RSS figures independent.
 * Usage: node migrate-child.js <workspace> <batchSize> [--dashboard | --paused-cpu | --paused-cpu-engine | --record=<plan.json>]
 *   --dashboard   the dashboard renders into an in-memory 120×40 terminal while it runs
 *   --paused-cpu  pause after the first batch and measure this process's CPU use for 10 s
 *   --paused-cpu-engine  the same without the dashboard: what the paused engine itself costs
 *   --record      write the embed phase's batches (the tokenised batches handed to the model, in
 *                 order) to the file, for `raw-child --replay=` to run the model alone on them
 *
 * The embed-phase span is from the first batch handed to the model to the last commit of the phase:
 * the model runs one batch at a time, so its time inside that span (model busy) cannot exceed it.
 */
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {setTimeout as sleep} from 'node:timers/promises';
import type {EmbeddingBackend} from '../engine/embed-backend.js';
import {Embedder, type EmbedderOptions} from '../engine/embed/embedder.js';
import type {TokenizedBatch} from '../engine/embed/tokenize.js';
import {FaultInjector} from '../engine/migration/faults.js';
import {Migration} from '../engine/migration/migration.js';
import {workspacePaths} from '../engine/workspace.js';
import {runDashboard} from '../ui/run-dashboard.js';
import {fakeTerminal} from './fake-terminal.js';
import {openWorkspace} from '../engine/workspace.js';
import {writeBatchPlan} from './batch-plan.js';

const [workspace, batchText, mode] = process.argv.slice(2);
const recordFile = mode?.startsWith('--record=') ? mode.slice('--record='.length) : undefined;
let inEmbed = false;
let firstHandedToModel = 0;
let lastCommit = 0;
let committedRows = 0;
let modelMs = 0;
let embedPhaseStarted = 0;
let embedPhaseEnded = 0;
let dtype = '';
const handedToModel: TokenizedBatch[] = [];

/** The engine's Embedder, watched: when the embed phase first hands it a batch, and which batches. */
async function loadWatchedEmbedder(options: EmbedderOptions): Promise<EmbeddingBackend> {
	const embedder = await Embedder.load(options);
	dtype = embedder.dtype;
	return {
		get modelId() {
			return embedder.modelId;
		},
		get dimension() {
			return embedder.dimension;
		},
		get device() {
			return embedder.device;
		},
		tokenizeAsync: async texts => embedder.tokenizeAsync(texts),
		encodeAsync: async texts => embedder.encodeAsync(texts),
		padEncoded: encoded => embedder.padEncoded(encoded),
		async embedBatch(batch) {
			if (inEmbed) {
				firstHandedToModel ||= performance.now();
				handedToModel.push(batch);
			}

			return embedder.embedBatch(batch);
		},
		switchDevice: async device => embedder.switchDevice(device),
		close: async () => embedder.close(),
	};
}

const migration = new Migration({workspace: openWorkspace(workspace!), batchSize: Number(batchText ?? 32), faults: new FaultInjector([]), loadEmbedder: loadWatchedEmbedder});
const delay = monitorEventLoopDelay({resolution: 10});
let latestDone = 0;
migration.events.on('batch:commit:done', ({size, inferenceMs}) => {
	if (inEmbed) {
		modelMs += inferenceMs;
		committedRows += size;
		lastCommit = performance.now();
	}
});
migration.events.on('progress', ({done}) => {
	latestDone = done;
});
// The whole run is watched, from opening the database and loading the model to the cut-over; the
// phase in which the worst delay happened is reported with it. (Not while measuring paused CPU:
// the monitor wakes up every 10 ms, which would be counted as the dashboard's.)
const watchDelay = !mode?.startsWith('--paused-cpu');
let currentPhase = 'start';
let worstPhase = 'start';
let worstSeen = 0;
/**
 * Called at each phase change and at the end: a new worst delay since the last call happened in
 * the phase that was running (no polling timer, which would itself cost CPU while paused).
 */
function noteWorstPhase(): void {
	if (delay.max > worstSeen) {
		worstSeen = delay.max;
		worstPhase = currentPhase;
	}
}

if (watchDelay) {
	delay.enable();
}

migration.events.on('run:phase:enter', ({phase}) => {
	noteWorstPhase();
	if (currentPhase === 'embed' && phase !== 'embed') {
		inEmbed = false;
		embedPhaseEnded = performance.now();
	}

	currentPhase = phase;
	if (phase === 'embed') {
		inEmbed = true;
		embedPhaseStarted ||= performance.now();
	}
});

async function pausedCpuPercent(): Promise<number> {
	await new Promise<void>(resolve => migration.events.on('batch:commit:done', () => resolve()));
	migration.control.pause();
	await sleep(3000);
	const before = process.cpuUsage();
	const started = performance.now();
	await sleep(10_000);
	const used = process.cpuUsage(before);
	const percent = ((used.user + used.system) / 1000 / (performance.now() - started)) * 100;
	migration.control.abort();
	return percent;
}

let outcome: Awaited<ReturnType<Migration['run']>> | undefined;
let pausedCpu: number | undefined;
let renderedBytes: number | undefined;
if (mode === '--dashboard' || mode === '--paused-cpu') {
	const terminal = fakeTerminal(120, 40);
	const measuring = mode === '--paused-cpu' ? pausedCpuPercent() : undefined;
	migration.events.on('run:done', result => {
		outcome = {status: 'done', runId: result.runId, succeeded: result.succeeded, failed: result.failed, total: result.total, blank: 0, truncated: 0, reused: 0, seconds: result.seconds, logFile: ''};
	});
	await runDashboard({
		paths: workspacePaths(workspace!),
		createMigration: () => migration,
		startImmediately: true,
		readOnly: false,
		env: {LANG: 'C.UTF-8', TERM: 'xterm-256color'},
		stdout: terminal.stdout,
		stdin: terminal.stdin,
		exitWhenDone: true,
	});
	pausedCpu = await measuring;
	renderedBytes = terminal.bytesWritten();
	outcome ??= {status: 'aborted', runId: '', done: latestDone, total: 0, logFile: ''};
} else if (mode === '--paused-cpu-engine') {
	const measuring = pausedCpuPercent();
	outcome = await migration.run();
	pausedCpu = await measuring;
} else {
	outcome = await migration.run();
}
delay.disable();
noteWorstPhase();
if (recordFile) {
	writeBatchPlan(recordFile, handedToModel);
}

const seconds = (lastCommit - firstHandedToModel) / 1000;
process.stdout.write(
	`${JSON.stringify({
		status: outcome.status,
		dtype,
		/** Rows committed in the embed phase (texts reused from identical ones included). */
		embedded: committedRows,
		/** Texts the model embedded in the embed phase (each distinct text once). */
		modelTexts: handedToModel.reduce((sum, batch) => sum + batch.batchSize, 0),
		seconds,
		textsPerSecond: committedRows / seconds,
		/** Share of the embed-phase span the model spent computing: how well the pipeline keeps it busy. */
		modelBusy: modelMs / 1000 / seconds,
		/** The whole embed phase, from entering it to the next phase (what `plan` estimates). */
		embedPhaseSeconds: (embedPhaseEnded - embedPhaseStarted) / 1000,
		maxRssMb: process.resourceUsage().maxRSS / 1024,
		pausedCpuPercent: pausedCpu,
		renderedBytes,
		maxEventLoopDelayMs: delay.max / 1e6,
		p99EventLoopDelayMs: delay.percentile(99) / 1e6,
		worstDelayPhase: worstPhase,
	})}\n`,
);
