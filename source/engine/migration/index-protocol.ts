/** Messages between the engine and the index worker. */

export type IndexJob = {
	task: 'build' | 'verify';
	databasePath: string;
	stagingDir: string;
	/** The live indices directory, whose non-index files are carried into the staging directory. */
	liveDir?: string;
	model: string;
	dimension: number;
	/** Only these channels (undefined: all channels with new vectors). */
	channels?: string[];
	samplePerChannel: number;
};

export type IndexWorkerMessage =
	| {type: 'channel'; channelId: string; vectors: number; built: number; channels: number}
	| {type: 'skipped'; channelId: string; reason: string}
	| {type: 'verified'; ok: boolean; channels: number; vectors: number; problems: string[]}
	| {type: 'done'}
	| {type: 'error'; message: string; stack?: string};
