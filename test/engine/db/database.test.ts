import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {openMemoryDatabase} from '../../../source/engine/db/connection.js';
import {countEmbeddingsByModel, insertStatements} from '../../../source/engine/db/queries.js';
import {decodeVector, encodeVector} from '../../../source/engine/db/vectors.js';
import type {DatabaseError} from '../../../source/engine/errors.js';
import {makeTempDir} from '../../helpers/temp.js';

describe('vector blobs', () => {
	it('round-trips little-endian float32 exactly', () => {
		const vector = new Float32Array([0.5, -1.25, Math.PI, 1e-30]);
		const blob = encodeVector(vector);
		assert.equal(blob.length, 16);
		assert.equal(blob.readFloatLE(4), -1.25);
		assert.deepEqual(decodeVector(blob, 4), vector);
	});

	it('rejects a blob whose length is not 4 × dimension', () => {
		assert.throws(() => decodeVector(Buffer.alloc(15), 4), (error: DatabaseError) => error.code === 'vector-blob' && /15 bytes, expected 16/.test(error.message));
		assert.throws(() => decodeVector(Buffer.alloc(16), 0), (error: DatabaseError) => error.code === 'vector-blob' && /dimension 0 is not a positive integer/.test(error.message));
	});
});

describe('opening memory.db', () => {
	it('creates the PigPig schema only when asked, in WAL mode with foreign keys on', () => {
		const file = path.join(makeTempDir(), 'memory.db');
		const db = openMemoryDatabase(file, {createSchema: true});
		assert.equal(db.pragma('journal_mode', {simple: true}), 'wal');
		assert.equal(db.pragma('foreign_keys', {simple: true}), 1);
		assert.equal(db.pragma('busy_timeout', {simple: true}), 5000);
		const insert = insertStatements(db);
		insert.channel({channel_id: '1', guild_id: 'g', message_count: 1, vector_enabled: 1});
		insert.message({message_id: 'm1', channel_id: '1', user_id: 'u', content: 'hi', content_processed: null, timestamp: '2025-01-01 00:00:00'});
		insert.embedding({messageId: 'm1', channelId: '1', userId: 'u', vector: new Float32Array(3), modelVersion: 'old'});
		assert.deepEqual(countEmbeddingsByModel(db), [{model_version: 'old', dimension: 3, count: 1}]);
		assert.throws(() => insert.message({message_id: 'm2', channel_id: 'nope', user_id: 'u', content: 'x', content_processed: null, timestamp: 't'}), /FOREIGN KEY/);
		db.close();
	});

	it('says when the file is missing, and does not create it', () => {
		const file = path.join(makeTempDir(), 'memory.db');
		assert.throws(() => openMemoryDatabase(file), (error: DatabaseError) => error.code === 'database-missing' && error.message.includes(file));
	});

	it('says when the file is not a database (random bytes)', () => {
		const file = path.join(makeTempDir(), 'memory.db');
		writeFileSync(file, randomBytes(8192));
		assert.throws(() => openMemoryDatabase(file), (error: DatabaseError) => error.code === 'database-corrupt' && /not a database/.test(error.message) && error.hint!.includes('memory.db.backup'));
	});

	it('says which PigPig tables are missing', () => {
		const file = path.join(makeTempDir(), 'memory.db');
		new Database(file).exec('CREATE TABLE messages (message_id TEXT)').close();
		assert.throws(() => openMemoryDatabase(file), (error: DatabaseError) => error.code === 'database-schema' && /no such table: channels, embeddings/.test(error.message));
	});

	it('says when the path is a directory', () => {
		const directory = path.join(makeTempDir(), 'memory.db');
		mkdirSync(directory);
		assert.throws(() => openMemoryDatabase(directory), (error: DatabaseError) => error.code === 'database-missing' && /is a directory/.test(error.message));
	});
});
