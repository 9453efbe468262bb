/**
 * Writes a complete demo workspace: the bot's settings.json before migration, generated old and
 * new models, a PigPig memory.db of chat messages embedded by the old model, and the old
 * per-channel FAISS indexes with their mappings.
 */
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {openMemoryDatabase} from '../engine/db/connection.js';
import {insertStatements} from '../engine/db/queries.js';
import {Embedder} from '../engine/embed/embedder.js';
import {resolveModelSource} from '../engine/embed/model-source.js';
import {UsageError} from '../engine/errors.js';
import {writeChannelIndex} from '../engine/faiss/index-files.js';
import {generateBertTinyModel, generateQwen3TinyModel} from '../models/tiny-models.js';
import {sourceModelDefault} from '../engine/settings/schema.js';
import {createRandom} from '../engine/util/random.js';
import {workspacePaths} from '../engine/workspace.js';
import {exampleSettings} from '../engine/settings/example.js';
import {isBlankForBot} from '../engine/text/bot-text.js';
import {demoSettingsText} from './bot-settings.js';
import {generateChatMessage, generateUniformMessage, generateZipfMessage, type CorpusKind} from './chat-corpus.js';
import {snowflake} from './snowflake.js';

export type DemoOptions = {
	messages?: number;
	channels?: number;
	seed?: number;
	/** Output dimensions of the generated models (the real ones: 768 and 1024). */
	sourceDimension?: number;
	targetDimension?: number;
	/** Width and depth of the generated target model: larger makes inference slower (benchmarks). */
	targetHidden?: number;
	targetLayers?: number;
	/**
	 * 'qwen3' (default): a Qwen3 stand-in unrelated to the old model. 'linear-of-source': the old
	 * model followed by a random linear map, so a transform can be learned exactly (tests).
	 */
	targetKind?: 'qwen3' | 'linear-of-source';
	/** The message mix: realistic chat (default), Zipf repeats with long messages, or all unique (benchmarks). */
	corpus?: CorpusKind;
	onProgress?: (step: string, done: number, total: number) => void;
};

export type DemoSummary = {
	root: string;
	messages: number;
	channels: number;
	blank: number;
	embedded: number;
	disabledChannel: string | undefined;
	sourceDimension: number;
	targetDimension: number;
};

export const demoModelDirs = {source: 'models/paraphrase-multilingual-mpnet-base-v2-tiny', target: 'models/Qwen3-Embedding-0.6B-tiny'};

type PendingEmbedding = {messageId: string; channelId: string; userId: string; text: string};

export async function createDemoWorkspace(root: string, options: DemoOptions = {}): Promise<DemoSummary> {
	const {messages = 2000, channels = 4, seed = 42, sourceDimension = 768, targetDimension = 1024, targetHidden, targetLayers, onProgress} = options;
	if (!Number.isInteger(messages) || messages < 1) {
		throw new UsageError(`--messages: expected a positive integer, received ${messages}`, 'e.g. --messages 2000');
	}

	if (!Number.isInteger(channels) || channels < 1 || channels > messages) {
		throw new UsageError(`--channels: expected an integer from 1 to the message count, received ${channels}`, 'e.g. --channels 4');
	}

	if (existsSync(root) && readdirSync(root).length > 0) {
		throw new UsageError(`${root}: directory is not empty`, 'choose a new or empty directory for the demo workspace');
	}

	const paths = workspacePaths(root);
	mkdirSync(paths.indices, {recursive: true});
	onProgress?.('models', 0, 2);
	generateBertTinyModel(path.join(paths.root, demoModelDirs.source), {dimension: sourceDimension});
	if (options.targetKind === 'linear-of-source') {
		generateBertTinyModel(path.join(paths.root, demoModelDirs.target), {dimension: sourceDimension, projectTo: targetDimension});
	} else {
		generateQwen3TinyModel(path.join(paths.root, demoModelDirs.target), {dimension: targetDimension, hidden: targetHidden, layers: targetLayers, dtypes: ['fp32', 'fp16', 'q8']});
	}
	onProgress?.('models', 2, 2);
	writeFileSync(paths.settings, demoSettingsText(demoModelDirs));
	writeFileSync(paths.settingsExample, `${JSON.stringify(exampleSettings(), undefined, 2)}\n`);

	const random = createRandom(seed);
	const db = openMemoryDatabase(paths.database, {createSchema: true});
	const insert = insertStatements(db);
	const embedder = await Embedder.load({
		source: resolveModelSource(sourceModelDefault, {localPath: demoModelDirs.source, root: paths.root, cacheDir: 'data/memory/models'}),
		device: 'cpu',
		maxTokens: 128,
	});

	try {
		const channelIds = Array.from({length: channels}, (_value, index) => snowflake(Date.UTC(2024, 0, 1 + index), index));
		// One channel has vectors switched off, as the bot allows: its messages are never embedded.
		const disabledChannel = channels > 2 ? channelIds.at(-1) : undefined;
		const counts = new Map(channelIds.map(id => [id, 0]));
		const start = Date.UTC(2025, 0, 1);
		const spacing = (Date.UTC(2025, 9, 1) - start) / messages;
		const pending: PendingEmbedding[] = [];
		db.transaction(() => {
			for (const channelId of channelIds) {
				insert.channel({channel_id: channelId, guild_id: '1212823415204085770', message_count: 0, vector_enabled: channelId === disabledChannel ? 0 : 1});
			}

			for (let index = 0; index < messages; index++) {
				const channelId = random.pick(channelIds);
				const time = start + index * spacing;
				const message =
					options.corpus === 'zipf' ? generateZipfMessage(random) : options.corpus === 'uniform' ? generateUniformMessage(random, index) : generateChatMessage(random);
				const row = {
					message_id: snowflake(time, index),
					channel_id: channelId,
					user_id: snowflake(Date.UTC(2023, 0, 1), random.int(50)),
					content: message.content,
					content_processed: message.contentProcessed,
					timestamp: new Date(time).toISOString().replace('T', ' ').slice(0, 19),
				};
				insert.message({...row, message_type: random.next() < 0.1 ? 'bot' : 'user'});
				counts.set(channelId, counts.get(channelId)! + 1);
				const text = message.contentProcessed ?? message.content;
				if (channelId !== disabledChannel && !isBlankForBot(text)) {
					pending.push({messageId: row.message_id, channelId, userId: row.user_id, text});
				}
			}

			const setCount = db.prepare('UPDATE channels SET message_count = ? WHERE channel_id = ?');
			for (const [channelId, count] of counts) {
				setCount.run(count, channelId);
			}
		})();

		const vectorsByChannel = await embedAndStore(db, embedder, pending, insert, onProgress);
		onProgress?.('indexes', 0, vectorsByChannel.size);
		let built = 0;
		for (const [channelId, rows] of vectorsByChannel) {
			const flat = new Float32Array(rows.vectors.length * embedder.dimension);
			for (const [row, vector] of rows.vectors.entries()) {
				flat.set(vector, row * embedder.dimension);
			}

			writeChannelIndex(paths.indices, channelId, rows.ids, flat, embedder.dimension);
			onProgress?.('indexes', ++built, vectorsByChannel.size);
		}

		return {
			root: paths.root,
			messages,
			channels,
			blank: messages - pending.length - (disabledChannel ? counts.get(disabledChannel)! : 0),
			embedded: pending.length,
			disabledChannel,
			sourceDimension: embedder.dimension,
			targetDimension,
		};
	} finally {
		await embedder.close();
		db.close();
	}
}

const demoBatchSize = 256;

/** Embeds with two batches in flight (the worker stays busy while the next is tokenised). */
async function embedAndStore(
	db: ReturnType<typeof openMemoryDatabase>,
	embedder: Embedder,
	pending: PendingEmbedding[],
	insert: ReturnType<typeof insertStatements>,
	onProgress: DemoOptions['onProgress'],
): Promise<Map<string, {ids: string[]; vectors: Float32Array[]}>> {
	const byChannel = new Map<string, {ids: string[]; vectors: Float32Array[]}>();
	const store = db.transaction((rows: PendingEmbedding[], vectors: Float32Array, dimension: number) => {
		for (const [index, row] of rows.entries()) {
			const vector = vectors.slice(index * dimension, (index + 1) * dimension);
			insert.embedding({messageId: row.messageId, channelId: row.channelId, userId: row.userId, vector, modelVersion: sourceModelDefault});
			const channel = byChannel.get(row.channelId) ?? {ids: [], vectors: []};
			channel.ids.push(row.messageId);
			channel.vectors.push(vector);
			byChannel.set(row.channelId, channel);
		}
	});

	// Results arrive in submission order (one worker), so stores and index positions stay in order.
	const inFlight: Array<Promise<void>> = [];
	for (let start = 0; start < pending.length; start += demoBatchSize) {
		const rows = pending.slice(start, start + demoBatchSize);
		const task = embedder.tokenizeAsync(rows.map(row => row.text)).then(async batch => embedder.embedBatch(batch)).then(result => {
			store(rows, result.vectors, result.dimension);
			onProgress?.('embeddings', Math.min(start + demoBatchSize, pending.length), pending.length);
		});
		task.catch(() => undefined);
		inFlight.push(task);
		if (inFlight.length >= 2) {
			await inFlight.shift();
		}
	}

	await Promise.all(inFlight);
	return byChannel;
}
