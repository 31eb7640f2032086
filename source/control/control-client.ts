import net from 'node:net';
import type {EngineEvent} from '../contract/events.js';
import {createLineSplitter} from '../runner/line-splitter.js';
import {
	controlProtocolVersion,
	type ControlOp,
	type Hello,
	type Reply,
	type ServerMessage,
} from './protocol.js';

/** A line from the engine longer than this is not ours to read: the connection is dropped. */
const maxMessageBytes = 64 * 1024 * 1024;

export type ControlConnection = {
	readonly hello: Hello;
	/** Sends one request and resolves with its reply. */
	readonly request: (
		op: ControlOp,
		fields?: {readonly agent?: string; readonly yes?: boolean},
	) => Promise<Reply>;
	/** Events, once attached. */
	readonly onEvent: (listener: (event: EngineEvent) => void) => void;
	/** Called once when the engine closes the connection (or it breaks). */
	readonly onClose: (listener: () => void) => void;
	readonly close: () => void;
};

/** Why a connection could not be made or used, in words for a person. */
export class ControlError extends Error {
	override readonly name = 'ControlError';
}

/**
Connects to an engine's control socket and reads its hello: an engine of another protocol version
is refused here, with both versions named, rather than misread.
*/
export async function connectToEngine(
	socketPath: string,
	options: {readonly timeoutMs?: number} = {},
): Promise<ControlConnection> {
	const socket = net.connect(socketPath);
	socket.setEncoding('utf8');
	const waiting = new Map<number, (reply: Reply) => void>();
	const eventListeners: Array<(event: EngineEvent) => void> = [];
	// Events that follow an attach reply in the same chunk come before its reader can listen.
	let early: EngineEvent[] | undefined = [];
	const closeListeners: Array<() => void> = [];
	let nextId = 1;
	let closed = false;
	let onHello: ((hello: Hello) => void) | undefined;

	const onMessage = (message: ServerMessage) => {
		switch (message.kind) {
			case 'hello': {
				onHello?.(message);
				break;
			}

			case 'reply': {
				const resolve = waiting.get(message.id);
				waiting.delete(message.id);
				resolve?.(message);
				break;
			}

			case 'event': {
				if (early) {
					if (early.length < 100_000) {
						early.push(message.event);
					}

					break;
				}

				for (const listener of eventListeners) {
					listener(message.event);
				}

				break;
			}
		}
	};

	const splitter = createLineSplitter(lines => {
		for (const line of lines) {
			if (line === '') {
				continue;
			}

			try {
				onMessage(JSON.parse(line) as ServerMessage);
			} catch {
				socket.destroy();
			}
		}
	}, maxMessageBytes);
	socket.on('data', (chunk: string) => {
		splitter.push(chunk);
	});

	const hello = await new Promise<Hello>((resolve, reject) => {
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new ControlError(`${socketPath}: the engine did not answer`));
		}, options.timeoutMs ?? 5000);
		onHello = message => {
			clearTimeout(timer);
			resolve(message);
		};

		socket.once('error', (error: NodeJS.ErrnoException) => {
			clearTimeout(timer);
			reject(
				new ControlError(
					error.code === 'EACCES'
						? `${socketPath}: permission denied (the engine is another user's)`
						: error.code === 'ECONNREFUSED' || error.code === 'ENOENT'
							? `${socketPath}: no engine listens there`
							: `${socketPath}: ${error.message}`,
				),
			);
		});
		socket.once('close', () => {
			clearTimeout(timer);
			reject(
				new ControlError(`${socketPath}: the engine closed the connection`),
			);
		});
	});
	onHello = undefined;
	if (hello.protocol !== controlProtocolVersion) {
		socket.destroy();
		throw new ControlError(
			`the engine (pid ${hello.pid}, moondev-tui ${hello.version}) speaks control protocol ${hello.protocol}; this moondev-tui speaks ${controlProtocolVersion}: use the same version`,
		);
	}

	socket.removeAllListeners('error');
	socket.on('error', () => {
		// Reported as the close that follows.
	});
	socket.on('close', () => {
		closed = true;
		for (const resolve of waiting.values()) {
			resolve({
				kind: 'reply',
				id: -1,
				ok: false,
				error: 'the engine closed the connection',
			});
		}

		waiting.clear();
		for (const listener of closeListeners) {
			listener();
		}
	});

	return {
		hello,
		async request(op, fields = {}) {
			if (closed) {
				return {
					kind: 'reply',
					id: -1,
					ok: false,
					error: 'the engine closed the connection',
				};
			}

			const id = nextId++;
			return new Promise<Reply>(resolve => {
				waiting.set(id, resolve);
				socket.write(
					`${JSON.stringify({id, protocol: controlProtocolVersion, op, ...fields})}\n`,
				);
			});
		},
		onEvent(listener) {
			eventListeners.push(listener);
			const waiting = early ?? [];
			early = undefined;
			for (const event of waiting) {
				listener(event);
			}
		},
		onClose(listener) {
			if (closed) {
				listener();
			} else {
				closeListeners.push(listener);
			}
		},
		close() {
			socket.end();
		},
	};
}
