/**
 * Walks a migration through its phase modules in order: enters each (event, progress, and the
 * phase recorded in the run store once the run exists), skips what an earlier attempt finished,
 * repeats catch-up → index → verify while the bot keeps adding messages, and turns an abort into
 * the `aborted` outcome that `migrate` resumes from.
 */
import {rm} from 'node:fs/promises';
import {logText} from '../../log/messages.js';
import {cutOverInterrupted, markAborted, recordPhase, type RunRecord} from '../../run-store/index.js';
import {phases, type Phase, type ProfileName, type StrategyName} from '../../types.js';
import {emitProgress, type RunContext} from '../context.js';
import {backupPhase} from './backup.js';
import {catchUpPhase} from './catch-up.js';
import {cutOverPhase} from './cut-over.js';
import {embedPhase} from './embed.js';
import {indexPhase} from './indexes.js';
import {aborted, type PhaseStep} from './phase.js';
import {preflightPhase} from './preflight.js';
import {verifyPhase} from './verify.js';

export type PhaseRunInput = {
	previous: RunRecord | undefined;
	strategy: StrategyName;
	sourceModel: string;
	profile: ProfileName;
	keepBackups: number | undefined;
	verifySample: number;
	/** When the run began (context.now), for the seconds in the outcome. */
	started: number;
	/** A finished run reopened: true to retry its failed messages, false to catch up late ones only. */
	retryFailed?: boolean;
};

export type PhaseRunResult =
	| {status: 'done'; runId: string; succeeded: number; failed: number; total: number; blank: number; truncated: number; reused: number; seconds: number; late: number; switchedAtRowid: number}
	| {status: 'aborted'; runId: string; done: number; total: number};

/** The phase modules in the order a run walks them (`done` is recorded after cut-over). */
export const phaseModules = [preflightPhase, backupPhase, embedPhase, catchUpPhase, indexPhase, verifyPhase, cutOverPhase] as const;

/** Catch-up rounds after the first, for messages that arrive while indexing; bounded so a busy bot cannot keep the run from finishing. */
const extraCatchUpRounds = 2;

class RunAborted extends Error {}

const phaseIndex = (phase: Phase) => phases.indexOf(phase);

function enter(context: RunContext, phase: Phase): void {
	context.phase = phase;
	// The run record exists from the backup phase on; earlier phases leave nothing to resume.
	if (phaseIndex(phase) > phaseIndex('backup')) {
		recordPhase(context.db, context.runId, phase);
	}

	context.events.emit('run:phase:enter', {phase});
	emitProgress(context);
}

async function step<Input, Output>(context: RunContext, phase: PhaseStep<Input, Output>, input: Input): Promise<Output> {
	// A stop asked for between phases (the abort key, a run log that cannot be written) is honoured
	// before the next one starts, and in particular before the cut-over.
	if (context.control.aborting && phaseIndex(phase.phase) > phaseIndex('backup')) {
		throw new RunAborted();
	}

	enter(context, phase.phase);
	const result = await phase.run(context, input);
	if (result === aborted) {
		throw new RunAborted();
	}

	return result;
}

async function runUntilCutOver(context: RunContext, input: PhaseRunInput): Promise<RunRecord> {
	const {previous} = input;
	const {prepared, backupsReusable} = await step(context, preflightPhase, input);
	const {runId, target, counters} = context;
	context.events.emit('run:start', {runId, source: input.sourceModel, target: target.model, strategy: input.strategy, resumed: previous !== undefined, total: counters.total});
	const {run} = await step(context, backupPhase, {...input, prepared, backupsReusable});
	const startPhase = phaseIndex(run.phase);
	if (startPhase <= phaseIndex('embed')) {
		await step(context, embedPhase, {cursor: run.cursor_rowid});
	}

	// A cut-over past its journal entry may have swapped the indexes already: it is finished, not redone.
	if (startPhase <= phaseIndex('cutover') && !cutOverInterrupted(run)) {
		for (let round = 0; ; round++) {
			await step(context, catchUpPhase, undefined);
			await step(context, indexPhase, undefined);
			const {complete} = await step(context, verifyPhase, {samplePerChannel: input.verifySample});
			if (complete || round >= extraCatchUpRounds) {
				break;
			}
		}
	}

	return run;
}

async function finish(context: RunContext, run: RunRecord, started: number): Promise<PhaseRunResult> {
	const {late, switchedAtRowid} = await step(context, cutOverPhase, {profile: run.profile as ProfileName});
	enter(context, 'done');
	await rm(context.paths.indicesStaging, {recursive: true, force: true});
	const {done, total, failed, blank, truncated} = context.counters;
	if (truncated > 0) {
		context.log('INFO', logText.truncatedMessages(context.settings.migration.max_tokens, truncated));
	}

	const {reused} = context.reuse;
	if (reused > 0) {
		context.log('INFO', logText.reusedVectors(reused));
	}

	context.log('INFO', logText.complete(done, total));
	const seconds = (context.now() - started) / 1000;
	context.events.emit('run:done', {runId: context.runId, succeeded: done, failed, total, seconds});
	return {status: 'done', runId: context.runId, succeeded: done, failed, total, blank, truncated, reused, seconds, late, switchedAtRowid};
}

function stop(context: RunContext): PhaseRunResult {
	markAborted(context.db, context.runId);
	const {done, total} = context.counters;
	context.log('WARNING', logText.paused(done, total));
	context.events.emit('run:aborted', {runId: context.runId, phase: context.phase, done, total});
	return {status: 'aborted', runId: context.runId, done, total};
}

/** Runs every phase still to do; an abort request ends in `aborted` with everything committed kept. */
export async function runPhases(context: RunContext, input: PhaseRunInput): Promise<PhaseRunResult> {
	try {
		const run = await runUntilCutOver(context, input);
		return await finish(context, run, input.started);
	} catch (error) {
		if (error instanceof RunAborted) {
			return stop(context);
		}

		throw error;
	}
}
