/**
 * Worker thread: SQLite's online backup of a database (a consistent snapshot even while the bot
 * writes; a file copy of a live WAL database is not), then quick_check and row counts of the copy.
 * In a worker, so even the last step and the check never hold the engine's event loop.
 */
import {parentPort, workerData} from 'node:worker_threads';
import Database from 'better-sqlite3';

const {source, destination} = workerData as {source: string; destination: string};
try {
	const live = new Database(source, {fileMustExist: true, timeout: 5000});
	try {
		await live.backup(destination);
	} finally {
		live.close();
	}

	const copy = new Database(destination, {fileMustExist: true});
	try {
		// A single self-contained file, so the guide's `cp memory.db.backup memory.db` restores it.
		copy.pragma('journal_mode = DELETE');
		const quickCheck = copy.pragma('quick_check', {simple: true}) as string;
		const count = (table: string) => (copy.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as {n: number}).n;
		parentPort!.postMessage({quickCheck, messages: count('messages'), embeddings: count('embeddings')});
	} finally {
		copy.close();
	}
} catch (error) {
	parentPort!.postMessage({error: (error as Error).message});
}
