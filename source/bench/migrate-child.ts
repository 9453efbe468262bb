/**
 * Benchmark child: runs one migration in this process and prints a JSON line with its embed-phase
 * throughput, peak RSS and the worst event-loop delay seen. A separate process per measurement
 * keeps the RSS figures independent.
 * Usage: node migrate-child.js <workspace> <batchSize> [--dashboard | --paused-cpu | --paused-cpu-engine]
 *   --dashboard   the dashboard renders into an in-memory 120×40 terminal while it runs
 *   --paused-cpu  pause after the first batch and measure this process's CPU use for 10 s
 *   --paused-cpu-engine  the same without the dashboard: what the paused engine itself costs
 */
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {setTimeout as sleep} from 'node:timers/promises';
import {FaultInjector} from '../engine/migration/faults.js';
import {Migration} from '../engine/migration/migration.js';
import {workspacePaths} from '../engine/workspace.js';
import {runDashboard} from '../ui/run-dashboard.js';
import {fakeTerminal} from './fake-terminal.js';
import {openWorkspace} from '../engine/workspace.js';

const [workspace, batchText, mode] = process.argv.slice(2);
const migration = new Migration({workspace: openWorkspace(workspace!), batchSize: Number(batchText ?? 32), faults: new FaultInjector([])});
const delay = monitorEventLoopDelay({resolution: 10});
let embedStarted = 0;
let embedEnded = 0;
let doneAtEmbedStart = 0;
let doneAtEmbedEnd = 0;
let latestDone = 0;
let inEmbed = false;
let committed = false;
let modelMs = 0;
migration.events.on('batch:commit:done', ({inferenceMs}) => {
	if (inEmbed && embedStarted !== 0) {
		modelMs += inferenceMs;
	}

	committed = true;
});
// Steady state, as the raw benchmark measures it after a warm-up batch: the clock starts at the
// first commit of the embed phase (its progress event follows the commit event).
migration.events.on('progress', ({done}) => {
	latestDone = done;
	if (inEmbed && committed && embedStarted === 0) {
		embedStarted = performance.now();
		doneAtEmbedStart = done;
	}
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
	currentPhase = phase;
	if (phase === 'embed') {
		inEmbed = true;
	} else if (phase === 'catchup' && embedEnded === 0) {
		inEmbed = false;
		embedEnded = performance.now();
		doneAtEmbedEnd = latestDone;
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
const embedded = doneAtEmbedEnd - doneAtEmbedStart;
const seconds = (embedEnded - embedStarted) / 1000;
process.stdout.write(
	`${JSON.stringify({
		status: outcome.status,
		embedded,
		seconds,
		textsPerSecond: embedded / seconds,
		/** Share of the embed phase the model spent computing: how well the pipeline keeps it busy. */
		modelBusy: modelMs / 1000 / seconds,
		maxRssMb: process.resourceUsage().maxRSS / 1024,
		pausedCpuPercent: pausedCpu,
		renderedBytes,
		maxEventLoopDelayMs: delay.max / 1e6,
		p99EventLoopDelayMs: delay.percentile(99) / 1e6,
		worstDelayPhase: worstPhase,
	})}\n`,
);
