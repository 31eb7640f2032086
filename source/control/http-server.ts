import {Buffer} from 'node:buffer';
import http from 'node:http';
import type {AddressInfo} from 'node:net';

/** What `GET /healthz` answers: 200 when healthy, else 503, with the body as JSON. */
export type HttpHealth = {
	readonly healthy: boolean;
	readonly body: Readonly<Record<string, unknown>>;
};

export type HttpServerOptions = {
	/** An address to bind, e.g. 127.0.0.1 or ::1. */
	readonly host: string;
	/** 0 picks a free port: `address.port` says which. */
	readonly port: number;
	/** The Prometheus text (format 0.0.4) of `GET /metrics`. */
	readonly metrics: () => string;
	readonly health: () => HttpHealth;
	/** An error of the listening server after it started (e.g. too many open files); never thrown. */
	readonly onError?: (error: Error) => void;
};

export type HttpServer = {
	/** Where it listens: the address bound and the port (the one picked, for port 0). */
	readonly address: {readonly host: string; readonly port: number};
	/** Stops listening and ends every connection, idle keep-alive ones included. */
	readonly close: () => Promise<void>;
};

/** Prometheus' text exposition format, the version its scrapers ask for. */
export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** Connections at once; more are closed as they come. */
export const maxConnections = 64;

const allowedMethods = 'GET, HEAD';

/**
The read-only HTTP side of an engine (contract §8): `GET /metrics`, the series of moondev.prom, and
`GET /healthz`. It serves nothing that changes the engine (controls go through the socket only),
reads no request body, and bounds what a client can hold: the headers within 5 s, the request
within 10 s, an idle keep-alive connection 5 s, at most 64 connections.
*/
export async function startHttpServer(
	options: HttpServerOptions,
): Promise<HttpServer> {
	const server = http.createServer(
		{
			headersTimeout: 5000,
			requestTimeout: 10_000,
			keepAliveTimeout: 5000,
			// How often the two timeouts above are checked (Node's default is 30 s).
			connectionsCheckingInterval: 1000,
			maxHeaderSize: 8192,
		},
		(request, response) => {
			respond(request, response, options);
		},
	);
	server.maxConnections = maxConnections;
	server.maxHeadersCount = 50;
	// A connection with nothing to say or read for this long is ended, whatever it is doing.
	server.setTimeout(30_000, socket => {
		socket.destroy();
	});

	const where = formatHostPort(options.host, options.port);
	await new Promise<void>((resolve, reject) => {
		const onError = (error: NodeJS.ErrnoException) => {
			reject(
				new Error(
					error.code === 'EADDRINUSE'
						? `cannot listen on ${where}: the address is in use (is another engine or exporter listening there?)`
						: `cannot listen on ${where}: ${error.message}`,
					{cause: error},
				),
			);
		};

		server.once('error', onError);
		server.listen({host: options.host, port: options.port}, () => {
			server.off('error', onError);
			resolve();
		});
	});
	server.on('error', error => {
		options.onError?.(error);
	});

	const bound = server.address() as AddressInfo;
	let closed: Promise<void> | undefined;
	return {
		address: {host: bound.address, port: bound.port},
		async close() {
			closed ??= new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
				server.closeAllConnections();
			});
			return closed;
		},
	};
}

/** `host:port`, with an IPv6 address in brackets. */
export function formatHostPort(host: string, port: number): string {
	return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function respond(
	request: http.IncomingMessage,
	response: http.ServerResponse,
	options: HttpServerOptions,
): void {
	const {method} = request;
	const head = method === 'HEAD';
	const send = (
		status: number,
		contentType: string,
		text: string,
		headers: Record<string, string> = {},
	) => {
		response.writeHead(status, {
			'Content-Type': contentType,
			'Content-Length': String(Buffer.byteLength(text)),
			'Cache-Control': 'no-store',
			'X-Content-Type-Options': 'nosniff',
			...headers,
		});
		response.end(head ? undefined : text);
	};

	const plain = 'text/plain; charset=utf-8';
	if (method !== 'GET' && !head) {
		// Its body is never read: the connection ends with the answer.
		send(405, plain, 'method not allowed: this server only reads\n', {
			Allow: allowedMethods,
			Connection: 'close',
		});
		return;
	}

	try {
		switch (pathOf(request.url)) {
			case '/metrics': {
				send(200, metricsContentType, options.metrics());
				return;
			}

			case '/healthz': {
				const health = options.health();
				send(
					health.healthy ? 200 : 503,
					'application/json; charset=utf-8',
					`${JSON.stringify(health.body)}\n`,
				);
				return;
			}

			default: {
				send(404, plain, 'not found: try /metrics or /healthz\n');
			}
		}
	} catch (error) {
		send(
			500,
			plain,
			`error: ${error instanceof Error ? error.message : String(error)}\n`,
		);
	}
}

/** The path of a request target, without its query; '' when it is not one. */
function pathOf(url: string | undefined): string {
	try {
		return new URL(url ?? '', 'http://localhost').pathname;
	} catch {
		return '';
	}
}
