/**
 * A real HTTP server that behaves like the Hugging Face hub (or an HF_ENDPOINT mirror) for one
 * repository served from a directory: `/{repo}/resolve/main/{file}` for HEAD and GET, LFS files
 * (.onnx, .onnx_data) answered with a 302 to a CDN path that carries `x-linked-size` and the
 * sha256 as `x-linked-etag`, Range
 * requests (206 with Content-Range), 404 for absent files, and the faults a download meets:
 * a connection dropped mid-file, a file served short, a file withheld.
 */
import {createHash} from 'node:crypto';
import {readFileSync, statSync} from 'node:fs';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import path from 'node:path';

export type HubFaults = {
	/** The first GET of this file (repository path) sends `bytes` body bytes, then the connection is destroyed. */
	dropOnce?: {file: string; bytes: number};
	/** This file's GET body is cut to `bytes` (sent chunked, without a length), while HEAD announces the full size. */
	short?: {file: string; bytes: number};
	/** The CDN holds a stale copy of this file: GET answers `bytes` bytes with a matching Content-Length (HEAD at resolve still announces the real size). */
	stale?: {file: string; bytes: number};
	/** This file's GET sends `bytes` body bytes and then nothing more, holding the connection open (a stalled transfer). */
	stall?: {file: string; bytes: number};
	/** The server ignores Range headers and always sends the whole file (200). */
	ignoreRange?: boolean;
	/** This file's GET body has one byte changed (same length): only the sha256 tells. */
	corrupt?: string;
	/** These files answer 404. */
	absent?: string[];
	/** LFS redirects off: every file is answered directly with Content-Length only. */
	noLfs?: boolean;
};

export type HubRequest = {method: string; file: string; range: string | undefined; cdn: boolean};

export type HubServer = {
	/** The endpoint, with a trailing slash (what HF_ENDPOINT would hold). */
	url: string;
	requests: HubRequest[];
	close: () => Promise<void>;
};

const isLfs = (file: string) => file.endsWith('.onnx') || file.endsWith('.onnx_data');

function parseRange(header: string | undefined, size: number): {start: number; end: number} | 'invalid' | undefined {
	const match = /^bytes=(\d+)-(\d*)$/.exec(header ?? '');
	if (!match) {
		return undefined;
	}

	const start = Number(match[1]);
	const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
	return start >= size ? 'invalid' : {start, end};
}

function serveFile(body: Buffer, file: string, request: IncomingMessage, response: ServerResponse, faults: HubFaults, drop: {used: boolean}): void {
	const range = faults.ignoreRange ? undefined : parseRange(request.headers.range, body.length);
	if (range === 'invalid') {
		response.writeHead(416, {'content-range': `bytes */${body.length}`}).end();
		return;
	}

	const {start, end} = range ?? {start: 0, end: body.length - 1};
	const slice = body.subarray(start, end + 1);
	const rangeHeaders = range ? {'content-range': `bytes ${start}-${end}/${body.length}`} : {};
	if (request.method === 'HEAD') {
		response.writeHead(200, {'content-length': body.length, 'accept-ranges': 'bytes'}).end();
		return;
	}

	if (faults.short?.file === file) {
		response.writeHead(range ? 206 : 200, {...rangeHeaders, 'transfer-encoding': 'chunked'});
		response.end(slice.subarray(0, Math.max(0, faults.short.bytes - start)));
		return;
	}

	response.writeHead(range ? 206 : 200, {...rangeHeaders, 'content-length': slice.length, 'accept-ranges': 'bytes'});
	if (faults.stall?.file === file) {
		response.write(slice.subarray(0, faults.stall.bytes));
		return;
	}

	if (faults.dropOnce?.file === file && !drop.used) {
		drop.used = true;
		response.write(slice.subarray(0, faults.dropOnce.bytes), () => {
			setTimeout(() => response.socket?.destroy(), 20);
		});
		return;
	}

	response.end(slice);
}

export async function startHubServer(directory: string, repository: string, faults: HubFaults = {}): Promise<HubServer> {
	const requests: HubRequest[] = [];
	const sockets = new Set<Socket>();
	const drop = {used: false};
	const resolvePrefix = `/${repository}/resolve/main/`;
	const cdnPrefix = `/cdn/${repository}/`;
	const server = createServer((request, response) => {
		const url = request.url ?? '';
		const cdn = url.startsWith(cdnPrefix);
		const file = decodeURIComponent(cdn ? url.slice(cdnPrefix.length) : url.startsWith(resolvePrefix) ? url.slice(resolvePrefix.length) : '');
		requests.push({method: request.method ?? 'GET', file, range: request.headers.range, cdn});
		const full = path.join(directory, file);
		let size: number;
		try {
			size = statSync(full).size;
		} catch {
			size = -1;
		}

		if (!file || size < 0 || faults.absent?.includes(file)) {
			response.writeHead(404, {'content-type': 'text/plain', 'x-error-code': 'EntryNotFound'}).end('Entry not found');
			return;
		}

		if (!cdn && isLfs(file) && !faults.noLfs) {
			// The hub's answer for an LFS file: a redirect to the CDN, with the real size.
			const sha256 = createHash('sha256').update(readFileSync(full)).digest('hex');
			response.writeHead(302, {location: `${cdnPrefix}${encodeURI(file)}`, 'x-linked-size': String(size), 'x-linked-etag': `"${sha256}"`}).end();
			return;
		}

		const body = readFileSync(full);
		if (faults.corrupt === file && request.method === 'GET') {
			body[body.length >> 1]! ^= 0xFF;
		}
		serveFile(faults.stale?.file === file && request.method === 'GET' ? body.subarray(0, faults.stale.bytes) : body, file, request, response, faults, drop);
	});
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
		requests,
		async close() {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}
