/**
 * `plan` when the run would go through embedding servers (`--endpoint` or
 * migration.endpoints): the estimate comes from timing the endpoints themselves (all at once, with
 * requests in flight, as the pool sends them), not from the local model.
 */
import type {ModelSource} from '../embed/model-source.js';
import {errorMessage} from '../errors.js';
import {remoteOptionsFrom, type RemoteFlags} from '../remote/remote-settings.js';
import {timeEndpoints, type EndpointTiming} from '../remote/remote-timing.js';
import type {MemorySystemSettings} from '../settings/schema.js';
import {configuredWidth} from './check.js';

export type RemoteProbe = {
	texts: number;
	textsPerSecond: number;
	device: string;
	estimatedSeconds: number;
	truncatedInSample: number;
	/** Each endpoint's best measured rate and the requests in flight it was fastest at (`inFlight` is the most of those). */
	endpoints: EndpointTiming[];
	inFlight: number;
};

export type RemotePlan = {probe: RemoteProbe | undefined; probeSkipped: string | undefined; targetDimension: number | undefined};

/**
 * undefined when no endpoint is configured (plan times the local model). A bad `--endpoint` value
 * throws a UsageError here, before anything is probed.
 */
export function remotePlanConfigured(memory: MemorySystemSettings, flags: RemoteFlags, env: NodeJS.ProcessEnv, targetSource: ModelSource): ReturnType<typeof remoteOptionsFrom> {
	return remoteOptionsFrom(memory, flags, env, configuredWidth(targetSource));
}

/** Times the endpoints on the sample; a refused or failing endpoint becomes a risk, not a crash. */
export async function planRemote(
	remote: NonNullable<ReturnType<typeof remoteOptionsFrom>>,
	sample: readonly string[],
	remaining: number,
	batchSize: number,
	risks: string[],
): Promise<RemotePlan> {
	try {
		const timing = await timeEndpoints(sample, {...remote, batchSize});
		for (const {url, failedHigher, inFlight} of timing.endpoints) {
			if (failedHigher) {
				risks.push(`endpoint ${url} ${failedHigher}; timed at ${inFlight}`);
			}
		}

		const probe = {
			texts: timing.texts,
			textsPerSecond: timing.textsPerSecond,
			device: `${timing.endpoints.length} endpoint${timing.endpoints.length === 1 ? '' : 's'}`,
			estimatedSeconds: remaining / timing.textsPerSecond,
			truncatedInSample: 0,
			endpoints: timing.endpoints,
			inFlight: timing.inFlight,
		};
		return {probe, probeSkipped: undefined, targetDimension: timing.dimension};
	} catch (error) {
		const reason = errorMessage(error);
		risks.push(reason);
		return {probe: undefined, probeSkipped: `the endpoints were not timed: ${reason}`, targetDimension: undefined};
	}
}
