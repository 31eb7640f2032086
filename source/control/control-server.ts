import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import process from 'node:process';
import type {EngineEvent} from '../contract/events.js';
import {createLineSplitter} from '../runner/line-splitter.js';
import type {AppState} from '../store/state.js';
import {
	controlProtocolVersion,
	type ControlRequest,
	type Hello,
	maxRequestBytes,
	parseRequest,
	type ReplyBody,
	type ServerMessage,
} from './protocol.js';

export type ControlServerOptions = {
	readonly socketPath: string;
	readonly hello: Omit<Hello, 'kind' | 'protocol'>;
	/** The state a screen shows now: an `attach`'s reply, after which the events follow. */
	readonly snapshot: () => AppState;
	/** Answers every other request. */
	readonly handle: (request: ControlRequest) => ReplyBody | Promise<ReplyBody>;
	/** Subscribes to the engine's events; returns the unsubscribe. */
	readonly listen: (listener: (event: EngineEvent) => void) => () => void;
	/** Told whether any client is attached (the engine keeps recent output only then). */
	readonly onAttachedChange?: (attached: boolean) => void;
	/**
	Unread bytes past which a client that has not caught up for `stalledMs` is dropped. A burst of
	events comes in one tick, before any client can read it; a reader catches up right after.
	@default 4 MiB
	*/
	readonly maxUnreadBytes?: number;
	/** @default 2000 */
	readonly stalledMs?: number;
	/** Unread bytes past which a client is dropped at once, however recently it read. @default 64 MiB */
	readonly hardMaxUnreadBytes?: number;
};

export type ControlServer = {
	readonly socketPath: string;
	/** Clients attached now. */
	readonly attachedCount: () => number;
	/** Stops listening, closes every client, removes the socket. */
	readonly close: () => Promise<void>;
	/** Removes the socket file at once, for exits that cannot wait (a second signal, a crash). */
	readonly removeNow: () => void;
};

/**
The engine's control socket: a Unix socket only its user can open (made with umask 077, then
chmod 600 in case a file system ignores the umask). Several clients at once; each request gets one
reply; an attached client gets every event after its snapshot. Writes are never waited for: a
client that stops reading is dropped once `maxUnreadBytes` pile up, so no client can stall the
engine or grow its memory.
*/
export async function startControlServer(
	options: ControlServerOptions,
): Promise<ControlServer> {
	const {socketPath} = options;
	const maxUnreadBytes = options.maxUnreadBytes ?? 4 * 1024 * 1024;
	const stalledMs = options.stalledMs ?? 2000;
	const hardMaxUnreadBytes = options.hardMaxUnreadBytes ?? 64 * 1024 * 1024;
	const attached = new Set<net.Socket>();
	const clients = new Set<net.Socket>();
	// When each client last had nothing unread: how long it has been behind.
	const caughtUpAt = new WeakMap<net.Socket, number>();
	let unsubscribe: (() => void) | undefined;

	const send = (socket: net.Socket, message: ServerMessage | string) => {
		if (socket.destroyed) {
			return;
		}

		const now = Date.now();
		if (socket.writableLength === 0) {
			caughtUpAt.set(socket, now);
		}

		socket.write(
			typeof message === 'string' ? message : `${JSON.stringify(message)}\n`,
		);
		const unread = socket.writableLength;
		if (
			unread > hardMaxUnreadBytes ||
			(unread > maxUnreadBytes &&
				now - (caughtUpAt.get(socket) ?? now) > stalledMs)
		) {
			// It stopped reading: dropped, never waited for.
			socket.destroy();
		}
	};

	const detach = (socket: net.Socket) => {
		if (attached.delete(socket) && attached.size === 0) {
			unsubscribe?.();
			unsubscribe = undefined;
			options.onAttachedChange?.(false);
		}
	};

	const attach = (socket: net.Socket) => {
		attached.add(socket);
		if (attached.size === 1) {
			options.onAttachedChange?.(true);
			// One JSON.stringify per event, whatever the number of clients.
			unsubscribe = options.listen(event => {
				const line = `${JSON.stringify({kind: 'event', event})}\n`;
				for (const client of attached) {
					send(client, line);
				}
			});
		}
	};

	const answer = async (socket: net.Socket, line: string) => {
		const request = parseRequest(line);
		if ('invalid' in request) {
			send(socket, {
				kind: 'reply',
				id: request.id ?? -1,
				ok: false,
				error: request.invalid,
			});
			return;
		}

		if (request.op === 'attach') {
			// The snapshot and the subscription in one step, with no await between: an event between
			// them would be in neither.
			send(socket, {
				kind: 'reply',
				id: request.id,
				ok: true,
				snapshot: options.snapshot(),
			});
			if (!socket.destroyed) {
				attach(socket);
			}

			return;
		}

		let body: ReplyBody;
		try {
			body = await options.handle(request);
		} catch (error) {
			body = {
				ok: false,
				error: error instanceof Error ? error.message : String(error),
			};
		}

		send(socket, {kind: 'reply', id: request.id, ...body});
	};

	const server = net.createServer(socket => {
		clients.add(socket);
		caughtUpAt.set(socket, Date.now());
		socket.on('drain', () => {
			caughtUpAt.set(socket, Date.now());
		});
		socket.setEncoding('utf8');
		// Requests of one client are answered in order.
		let queue = Promise.resolve();
		const splitter = createLineSplitter(lines => {
			for (const line of lines) {
				if (line.length >= maxRequestBytes) {
					socket.destroy();
					return;
				}

				if (line.trim() !== '') {
					queue = queue.then(async () => answer(socket, line));
				}
			}
		}, maxRequestBytes);
		socket.on('data', (chunk: string) => {
			splitter.push(chunk);
		});
		socket.on('error', () => {
			// A client that went away: nothing to tell it.
		});
		socket.on('close', () => {
			clients.delete(socket);
			detach(socket);
		});
		send(socket, {
			kind: 'hello',
			protocol: controlProtocolVersion,
			...options.hello,
		});
	});

	// Ours to replace: whoever calls this holds the folder's lock, so a socket there is a dead engine's.
	removeStaleSocket(socketPath);
	fs.mkdirSync(path.dirname(socketPath), {recursive: true, mode: 0o700});
	const umask = process.umask(0o177);
	try {
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(socketPath, () => {
				server.off('error', reject);
				resolve();
			});
		});
	} finally {
		process.umask(umask);
	}

	fs.chmodSync(socketPath, 0o600);
	server.on('error', () => {
		// Past listening, a server error concerns one connection, which reports its own.
	});
	server.unref();

	let closing: Promise<void> | undefined;
	return {
		socketPath,
		attachedCount: () => attached.size,
		removeNow() {
			removeStaleSocket(socketPath);
		},
		async close() {
			closing ??= (async () => {
				unsubscribe?.();
				unsubscribe = undefined;
				const closed = new Promise<void>(resolve => {
					server.close(() => {
						resolve();
					});
				});
				for (const client of clients) {
					// The last events go out; a client that does not take them is cut off.
					client.end();
					setTimeout(() => {
						client.destroy();
					}, 1000).unref();
				}

				removeStaleSocket(socketPath);
				await closed;
			})();
			return closing;
		},
	};
}

function removeStaleSocket(socketPath: string): void {
	try {
		if (fs.lstatSync(socketPath).isSocket()) {
			fs.rmSync(socketPath);
		}
	} catch {
		// Not there.
	}
}
