/** Sorts a batch error into what the engine can do about it. */
import type {BatchErrorKind} from './events.js';

const outOfMemory = /Failed to allocate memory|out of memory|CUBLAS_STATUS_ALLOC_FAILED|bad_alloc/i;
const databaseBusy = /database is locked|SQLITE_BUSY|SQLITE_LOCKED|database table is locked/i;
const modelFailure = /ONNXRuntimeError|onnxruntime|\bORT\b|inference|session|tensor|Non-zero status code|model/i;

export function classifyBatchError(error: unknown): BatchErrorKind {
	const message = error instanceof Error ? `${error.message} ${(error as {code?: string}).code ?? ''}` : String(error);
	if (outOfMemory.test(message)) {
		return 'oom';
	}

	if (databaseBusy.test(message)) {
		return 'busy';
	}

	return modelFailure.test(message) ? 'model' : 'other';
}
