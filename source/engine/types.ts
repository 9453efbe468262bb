/**
 * The engine's vocabulary, each word defined once: the devices, dtypes, strategies and phases every
 * module, event and setting speaks of, and the target set's rows and model that the migration and
 * the strategies share. Lists that settings validate against live beside their
 * schema (settings/schema.ts) and the device a model runs on beside the model protocol
 * (embed/protocol.ts); this module is the one place the rest of the engine imports them from.
 */
export type {Device} from './embed/protocol.js';
export {deviceNames, dtypeNames, strategyNames, type DeviceName, type DtypeName, type ProfileName, type StrategyName} from './settings/schema.js';

/** A migration's phases in order; `done` is recorded once cut-over finished. */
export const phases = ['preflight', 'backup', 'embed', 'catchup', 'index', 'verify', 'cutover', 'done'] as const;
export type Phase = (typeof phases)[number];

/** Why the batch size changed. */
export type BatchSizeReason = 'user' | 'oom' | 'low-memory';

/** Why the model moved to another device. */
export type DeviceChangeReason = 'oom' | 'user';

/** The model and dimension the new rows get. */
export type TargetModel = {model: string; dimension: number};

/** A message of the target set as the embed phase reads it. */
export type TargetRow = {
	rowid: number;
	messageId: string;
	channelId: string;
	userId: string | null;
	text: string;
	/** Token ids, when the batch planner has already tokenised the row. */
	encoded?: {ids: number[]; truncated: boolean};
};
