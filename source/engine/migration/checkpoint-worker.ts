/**
 * Worker thread that checkpoints the WAL every few seconds on its own connection (PASSIVE: it
 * never blocks the bot or the migration). The engine's connection turns automatic checkpoints
 * off, so the checkpoint's writes and fsync never stall its event loop.
 */
import {parentPort, workerData} from 'node:worker_threads';
import Database from 'better-sqlite3';
import {lowerThreadPriority} from '../util/thread-priority.js';

const {databasePath, intervalMs} = workerData as {databasePath: string; intervalMs: number};
lowerThreadPriority();
const db = new Database(databasePath, {fileMustExist: true, timeout: 1000});
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
	try {
		db.pragma('wal_checkpoint(PASSIVE)');
	} catch {
		// Busy or locked: the next round tries again.
	}
}, intervalMs);

parentPort!.on('message', () => {
	clearInterval(timer);
	try {
		// Everything, so the engine's own close has nothing left to copy (that would block it).
		db.pragma('wal_checkpoint(TRUNCATE)');
	} catch {
		// The bot may hold the database: its connections checkpoint later.
	} finally {
		db.close();
		parentPort!.close();
	}
});
