/** Opens the PigPig memory.db with the bot's pragmas and turns SQLite failures into one-line errors. */
import {closeSync, existsSync, openSync, readSync, statSync} from 'node:fs';
import Database from 'better-sqlite3';
import {AppError, DatabaseError, errorMessage} from '../errors.js';
import {createPigPigSchema, missingTables} from './schema.js';

export type OpenOptions = {
	readonly?: boolean;
	/**
	 * Opened for reading only, but not as a read-only connection: SQLite lets a read-only
	 * connection leave -wal and -shm files behind, which would change the workspace. query_only
	 * refuses every write instead, and the files go when the connection closes.
	 */
	queryOnly?: boolean;
	/** Create the file and the PigPig schema if missing (demo and tests only). */
	createSchema?: boolean;
	/** Fail unless channels, messages and embeddings exist. Default true. */
	requireSchema?: boolean;
	busyTimeoutMs?: number;
};

const sqliteCodeHints: Record<string, {code: 'database-corrupt' | 'database-busy'; hint: string}> = {
	SQLITE_NOTADB: {code: 'database-corrupt', hint: 'restore it: cp data/memory/memory.db.backup data/memory/memory.db'},
	SQLITE_CORRUPT: {code: 'database-corrupt', hint: 'restore it: cp data/memory/memory.db.backup data/memory/memory.db'},
	SQLITE_BUSY: {code: 'database-busy', hint: 'another process holds a write lock; `qwen3-migrate check` lists who has the file open'},
	SQLITE_LOCKED: {code: 'database-busy', hint: 'another process holds a write lock; `qwen3-migrate check` lists who has the file open'},
};

/** Wraps a SQLite error thrown while working on `file` into a DatabaseError with a hint. */
export function translateSqliteError(file: string, error: unknown): AppError {
	if (error instanceof AppError) {
		return error;
	}

	const sqliteCode = (error as {code?: string}).code ?? '';
	const known = sqliteCodeHints[sqliteCode.split('_').slice(0, 2).join('_')];
	if (known) {
		return new DatabaseError(known.code, `${file}: ${errorMessage(error)}`, {hint: known.hint, cause: error});
	}

	return new DatabaseError('database-corrupt', `${file}: ${errorMessage(error)}`, {
		hint: 'check that the file is a SQLite database and readable; `qwen3-migrate check` diagnoses it',
		cause: error,
	});
}

const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses a file that is not a SQLite database before SQLite sees it: SQLite takes a 0-byte file
 * for a new, empty database and would turn it into one (WAL mode writes a header), destroying
 * the evidence of what went wrong. The bot's data is never rewritten by a refusal.
 */
function assertSqliteHeader(file: string): void {
	const header = Buffer.alloc(sqliteHeader.length);
	let read: number;
	const descriptor = openSync(file, 'r');
	try {
		read = readSync(descriptor, header, 0, header.length, 0);
	} finally {
		closeSync(descriptor);
	}

	const hint = 'restore it: cp data/memory/memory.db.backup data/memory/memory.db (or point memory_system.database_path at the bot\'s memory.db)';
	if (read === 0) {
		throw new DatabaseError('database-corrupt', `${file}: the file is empty (0 bytes), not a SQLite database; left unchanged`, {hint});
	}

	// SQLite's own words (tests and users grep for them); it is refused before SQLite can touch it.
	if (read < header.length || !header.equals(sqliteHeader)) {
		throw new DatabaseError('database-corrupt', `${file}: file is not a database`, {hint});
	}
}

export function openMemoryDatabase(file: string, options: OpenOptions = {}): Database.Database {
	const {readonly = false, queryOnly = false, createSchema = false, requireSchema = true, busyTimeoutMs = 5000} = options;
	if (!createSchema && !existsSync(file)) {
		throw new DatabaseError('database-missing', `${file}: database not found`, {
			hint: 'check memory_system.database_path in settings.json, or pass --workspace DIR (the bot\'s directory)',
		});
	}

	if (existsSync(file) && statSync(file).isDirectory()) {
		throw new DatabaseError('database-missing', `${file}: is a directory, expected a SQLite file`, {
			hint: 'check memory_system.database_path in settings.json',
		});
	}

	if (!createSchema) {
		assertSqliteHeader(file);
	}

	let db: Database.Database | undefined;
	try {
		db = new Database(file, {readonly, fileMustExist: !createSchema, timeout: busyTimeoutMs});
		db.pragma(`busy_timeout = ${busyTimeoutMs}`);
		db.pragma('foreign_keys = ON');
		if (queryOnly) {
			db.pragma('query_only = ON');
		} else if (!readonly) {
			db.pragma('journal_mode = WAL');
			db.pragma('synchronous = NORMAL');
		}

		// Reading the schema is the first real read: a file of random bytes fails here.
		if (createSchema) {
			createPigPigSchema(db);
		}

		const missing = missingTables(db);
		if (requireSchema && missing.length > 0) {
			throw new DatabaseError('database-schema', `${file}: no such table: ${missing.join(', ')}`, {
				hint: 'this is not a PigPig memory database, or the bot has not created its tables yet (start the bot once)',
			});
		}

		return db;
	} catch (error) {
		db?.close();
		throw translateSqliteError(file, error);
	}
}
