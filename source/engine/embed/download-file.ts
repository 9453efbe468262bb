/**
 * One file from the hub, resumably: bytes go to `<file>.part`, a rerun or a dropped connection
 * continues with `Range: bytes=<part size>-`, and only a file of the announced size is renamed into
 * place (an LFS file also only when its sha256 matches the hub's). A server that ignores the range is read past the bytes already on disk, so progress never
 * goes backwards.
 */
import {createHash} from 'node:crypto';
import {closeSync, createReadStream, mkdirSync, openSync, renameSync, rmSync, statSync} from 'node:fs';
import {open} from 'node:fs/promises';
import path from 'node:path';
import {AppError, ModelLoadError, isDiskFull} from '../errors.js';
import {fetchFailureReason, sizeHeader} from './hub-files.js';

export type FileTransfer = {
	/** The repository path, e.g. `onnx/model_fp16.onnx_data` (what messages name). */
	file: string;
	url: string;
	/** Where the finished file goes (the transformers.js cache layout). */
	target: string;
	/** The size the hub announced (x-linked-size or Content-Length); undefined when it did not say. */
	expected: number | undefined;
	sizeSource: string | undefined;
	/** The hub's sha256 of an LFS file, checked before the rename (catches a resume across revisions). */
	sha256?: string;
};

export type TransferOptions = {
	fetcher: typeof fetch;
	/** Attempts after a failure that made no progress (a failure after new bytes starts the count over). */
	retries: number;
	backoffMs: number;
	sleep: (ms: number) => Promise<void>;
	signal: AbortSignal | undefined;
	/** The file's bytes on disk so far, after every write. */
	onBytes: (fileBytes: number) => void;
};

export function partFileOf(target: string): string {
	return `${target}.part`;
}

export function sizeOnDisk(file: string): number {
	try {
		return statSync(file).size;
	} catch {
		return 0;
	}
}

/** The sha256 of a file, read in a stream (a 2.3 GB data file never sits in memory). */
async function sha256Of(file: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(file, {highWaterMark: 4 * 2 ** 20})) {
		hash.update(chunk as Buffer);
	}

	return hash.digest('hex');
}

/** A refusal the next attempt would not fix: the server's bytes are not the file announced. */
function sizeRefusal(transfer: FileTransfer, what: string): AppError {
	rmSync(partFileOf(transfer.target), {force: true});
	return new ModelLoadError(
		`download refused: ${transfer.file} ${what}; the partial file was deleted`,
		`run the command again, or use another mirror (HF_ENDPOINT); the file comes from ${transfer.url}`,
	);
}

/** The first byte and the total of a `Content-Range: bytes 100-199/1000` header. */
function parseContentRange(value: string | null): {start: number; total: number | undefined} | undefined {
	const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(value?.trim() ?? '');
	return match ? {start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2])} : undefined;
}

/** The file's full size according to this response, and how many leading bytes to skip. */
function readResponseShape(response: Response, offset: number): {skip: number; total: number | undefined} | 'restart' {
	if (response.status === 206) {
		const range = parseContentRange(response.headers.get('content-range'));
		return range?.start === offset ? {skip: 0, total: range.total} : 'restart';
	}

	const length = sizeHeader(response.headers.get('content-length'));
	return {skip: offset, total: length};
}

/** Thrown for failures that another attempt may cure (connection lost, 5xx, a range the server refused). */
class RetryableTransferError extends Error {}

/** One HTTP request: appends what arrives to the part file. Returns when the body ends. */
async function fetchOnce(transfer: FileTransfer, options: TransferOptions): Promise<void> {
	const part = partFileOf(transfer.target);
	let offset = sizeOnDisk(part);
	if (transfer.expected !== undefined && offset > transfer.expected) {
		rmSync(part, {force: true});
		offset = 0;
	}

	if (transfer.expected !== undefined && offset === transfer.expected) {
		return;
	}

	const headers: Record<string, string> = {'accept-encoding': 'identity', ...(offset > 0 ? {range: `bytes=${offset}-`} : {})};
	const response = await options.fetcher(transfer.url, {headers, redirect: 'follow', signal: options.signal});
	if (response.status === 404) {
		throw new ModelLoadError(`cannot download ${transfer.file}: ${transfer.url} answered 404 (not found)`, 'check the repository name and dtype (migration.dtype), or use another mirror (HF_ENDPOINT)');
	}

	if (response.status === 416) {
		rmSync(part, {force: true});
		throw new RetryableTransferError(`the server refused the range bytes=${offset}- (HTTP 416)`);
	}

	if (!response.ok || !response.body) {
		const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
		const message = `cannot download ${transfer.file}: ${transfer.url} answered HTTP ${response.status}`;
		throw permanent ? new ModelLoadError(message, 'check the repository name, HF_ENDPOINT and any access token the mirror needs') : new RetryableTransferError(message);
	}

	const shape = readResponseShape(response, offset);
	if (shape === 'restart') {
		await response.body.cancel();
		rmSync(part, {force: true});
		throw new RetryableTransferError(`the server answered another range than bytes=${offset}-`);
	}

	if (transfer.expected !== undefined && shape.total !== undefined && shape.total !== transfer.expected) {
		await response.body.cancel();
		throw sizeRefusal(transfer, `is ${shape.total} bytes on the server, but the hub announced ${transfer.expected} (${transfer.sizeSource})`);
	}

	transfer.expected ??= shape.total;
	transfer.sizeSource ??= shape.total === undefined ? undefined : 'content-length';
	await appendBody(response.body, part, offset, shape.skip, transfer, options);
}

async function appendBody(body: ReadableStream<Uint8Array>, part: string, offset: number, skipBytes: number, transfer: FileTransfer, options: TransferOptions): Promise<void> {
	const handle = await open(part, 'a');
	let written = offset;
	let skip = skipBytes;
	try {
		for await (const chunk of body) {
			const data = skip > 0 ? chunk.subarray(Math.min(skip, chunk.length)) : chunk;
			skip -= chunk.length - data.length;
			if (data.length === 0) {
				continue;
			}

			if (transfer.expected !== undefined && written + data.length > transfer.expected) {
				throw sizeRefusal(transfer, `is longer on the server than the ${transfer.expected} bytes announced (${transfer.sizeSource})`);
			}

			await handle.write(data);
			written += data.length;
			options.onBytes(written);
		}
	} finally {
		await handle.close();
	}
}

function isPermanent(error: unknown): boolean {
	return error instanceof AppError || isDiskFull(error) || (error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError';
}

/** Downloads one file into place (resuming any `.part`), retrying lost connections with backoff. */
export async function transferFile(transfer: FileTransfer, options: TransferOptions): Promise<void> {
	const part = partFileOf(transfer.target);
	mkdirSync(path.dirname(transfer.target), {recursive: true});
	// The part file exists from the start, so an empty file ends up in place too.
	closeSync(openSync(part, 'a'));
	let failures = 0;
	for (;;) {
		const before = sizeOnDisk(part);
		try {
			await fetchOnce(transfer, options);
			break;
		} catch (error) {
			if (isPermanent(error) || options.signal?.aborted) {
				throw error;
			}

			failures = sizeOnDisk(part) > before ? 1 : failures + 1;
			if (failures > options.retries) {
				const reason = error instanceof RetryableTransferError ? error.message : fetchFailureReason(error);
				throw new ModelLoadError(
					`cannot download ${transfer.file} from ${transfer.url}: ${reason} (gave up after ${options.retries} retries at ${sizeOnDisk(part)} bytes)`,
					'run the command again: it resumes from the partial file; or use a mirror: export HF_ENDPOINT=https://hf-mirror.com',
					error,
				);
			}

			await options.sleep(Math.min(30_000, options.backoffMs * 2 ** (failures - 1)));
		}
	}

	const size = sizeOnDisk(part);
	if (transfer.expected !== undefined && size !== transfer.expected) {
		throw sizeRefusal(transfer, `arrived with ${size} of ${transfer.expected} bytes (${transfer.sizeSource})`);
	}

	if (transfer.sha256 !== undefined && (await sha256Of(part)) !== transfer.sha256) {
		throw sizeRefusal(transfer, `does not match the hub's sha256 ${transfer.sha256.slice(0, 12)}… (x-linked-etag)`);
	}

	renameSync(part, transfer.target);
}
