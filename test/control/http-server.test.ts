import {Buffer} from 'node:buffer';
import {once} from 'node:events';
import net from 'node:net';
import parsePrometheus from 'parse-prometheus-text-format';
import {describe, expect, onTestFinished, test} from 'vitest';
import {
	type HttpHealth,
	type HttpServerOptions,
	maxConnections,
	metricsContentType,
	startHttpServer,
} from '../../source/control/http-server.js';
import {formatPrometheus} from '../../source/monitor/prometheus.js';

/* The read-only HTTP side of an engine, through real requests on a real port. */

/** Real series, as a monitor makes them before its first cycle. */
const series = (executions: number) =>
	formatPrometheus(
		{
			total_cycles: 3,
			agents: {
				risk: {
					executions,
					successes: executions,
					failures: 0,
					success_rate: 100,
					avg_execution_time: 1.5,
					total_retries: 0,
					consecutive_failures: 0,
					last_execution: '2026-11-25T10:00:00.000Z',
					health_status: 'healthy',
				},
			},
		},
		{halts: 0, lastSuccess: {risk: Date.parse('2026-11-25T10:00:00.000Z')}},
	);

/** A server on a free port of 127.0.0.1, closed when the test ends; counts what it was asked. */
async function serve(options: Partial<HttpServerOptions> = {}) {
	const asked = {metrics: 0, health: 0};
	let executions = 1;
	let health: HttpHealth = {
		healthy: true,
		body: {status: 'ok', cycle: 3},
	};
	const server = await startHttpServer({
		host: '127.0.0.1',
		port: 0,
		metrics() {
			asked.metrics++;
			return series(executions);
		},
		health() {
			asked.health++;
			return health;
		},
		...options,
	});
	onTestFinished(server.close);
	const url = (target: string) =>
		`http://127.0.0.1:${server.address.port}${target}`;
	return {
		server,
		url,
		asked,
		setExecutions(value: number) {
			executions = value;
		},
		setHealth(value: HttpHealth) {
			health = value;
		},
	};
}

/** The body of a GET. */
async function textOf(url: string): Promise<string> {
	const response = await fetch(url);
	return response.text();
}

/** A raw connection to the server, its bytes gathered, its end awaitable. */
async function connect(port: number) {
	const socket = net.connect({host: '127.0.0.1', port});
	let received = '';
	socket.setEncoding('utf8');
	socket.on('data', (chunk: string) => {
		received += chunk;
	});
	socket.on('error', () => {
		// A reset by the server is one of the ends these tests wait for.
	});
	const closed = once(socket, 'close');
	await once(socket, 'connect');
	onTestFinished(() => {
		socket.destroy();
	});
	return {socket, closed, received: () => received};
}

describe('GET /metrics', () => {
	test('200, the text format 0.0.4, series that parse; asked afresh for each request', async () => {
		const {url, setExecutions, asked} = await serve();
		const response = await fetch(url('/metrics'));
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe(metricsContentType);
		expect(metricsContentType).toBe('text/plain; version=0.0.4; charset=utf-8');
		const families = parsePrometheus(await response.text());
		const byName = new Map(families.map(family => [family.name, family]));
		expect(byName.get('moondev_agent_executions_total')?.metrics).toEqual([
			{labels: {agent: 'risk'}, value: '1'},
		]);
		expect(
			byName.get('moondev_agent_last_success_timestamp_seconds')?.metrics,
		).toEqual([{labels: {agent: 'risk'}, value: '1795600800'}]);

		setExecutions(2);
		const again = parsePrometheus(await textOf(url('/metrics')));
		expect(
			again.find(family => family.name === 'moondev_agent_executions_total')
				?.metrics,
		).toEqual([{labels: {agent: 'risk'}, value: '2'}]);
		expect(asked).toEqual({metrics: 2, health: 0});
	});

	test('a query string is ignored', async () => {
		const {url} = await serve();
		const response = await fetch(url('/metrics?name[]=x'));
		expect(response.status).toBe(200);
	});

	test('HEAD: the headers of GET, its length, no body', async () => {
		const {url} = await serve();
		const body = await textOf(url('/metrics'));
		const response = await fetch(url('/metrics'), {method: 'HEAD'});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe(metricsContentType);
		expect(response.headers.get('content-length')).toBe(
			String(Buffer.byteLength(body)),
		);
		expect(await response.text()).toBe('');
	});

	test('metrics that cannot be made: 500 with why, and the server goes on', async () => {
		let fail = true;
		const {url} = await serve({
			metrics() {
				if (fail) {
					throw new Error('no report yet');
				}

				return 'moondev_cycles_total 0\n';
			},
		});
		const response = await fetch(url('/metrics'));
		expect(response.status).toBe(500);
		expect(await response.text()).toBe('error: no report yet\n');
		fail = false;
		expect(await textOf(url('/metrics'))).toBe('moondev_cycles_total 0\n');
	});
});

describe('GET /healthz', () => {
	test('200 with the JSON body while healthy, 503 with its body when not', async () => {
		const {url, setHealth} = await serve();
		const healthy = await fetch(url('/healthz'));
		expect(healthy.status).toBe(200);
		expect(healthy.headers.get('content-type')).toBe(
			'application/json; charset=utf-8',
		);
		expect(await healthy.json()).toEqual({status: 'ok', cycle: 3});

		setHealth({
			healthy: false,
			body: {status: 'unhealthy', reasons: ['critical agent risk is off']},
		});
		const unhealthy = await fetch(url('/healthz'));
		expect(unhealthy.status).toBe(503);
		expect(await unhealthy.json()).toEqual({
			status: 'unhealthy',
			reasons: ['critical agent risk is off'],
		});

		const head = await fetch(url('/healthz'), {method: 'HEAD'});
		expect(head.status).toBe(503);
		expect(await head.text()).toBe('');
	});
});

describe('nothing else', () => {
	test('any other path is 404', async () => {
		const {url, asked} = await serve();
		for (const target of ['/', '/metrics/', '/health', '/METRICS', '/x/../y']) {
			const response = await fetch(url(target));
			expect([target, response.status]).toEqual([target, 404]);
		}

		expect(asked).toEqual({metrics: 0, health: 0});
	});

	test('any other method is 405 with Allow: GET, HEAD, and asks the engine nothing', async () => {
		const {url, asked} = await serve();
		for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
			for (const target of ['/metrics', '/healthz', '/stop']) {
				const response = await fetch(url(target), {
					method,
					...(method === 'POST' ? {body: 'x'.repeat(100_000)} : {}),
				});
				expect([method, target, response.status]).toEqual([
					method,
					target,
					405,
				]);
				expect(response.headers.get('allow')).toBe('GET, HEAD');
			}
		}

		expect(asked).toEqual({metrics: 0, health: 0});
	});
});

describe('bounded', () => {
	test('a client that says nothing, or never finishes its headers, is ended', async () => {
		const {server, asked} = await serve();
		const silent = await connect(server.address.port);
		const slow = await connect(server.address.port);
		slow.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
		// Both ended by the server's headers timeout (5 s), never answered.
		await Promise.all([silent.closed, slow.closed]);
		expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /v);
		expect(silent.received()).toMatch(/^(?:HTTP\/1\.1 408 |$)/v);
		expect(asked).toEqual({metrics: 0, health: 0});
	});

	test(`past ${maxConnections} connections at once, a new one is closed; the server goes on`, async () => {
		const {server, url} = await serve();
		const clients = [];
		for (let index = 0; index < maxConnections; index++) {
			clients.push(await connect(server.address.port));
		}

		const extra = await connect(server.address.port);
		extra.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
		await extra.closed;
		expect(extra.received()).toBe('');

		for (const client of clients) {
			client.socket.destroy();
		}

		await Promise.all(clients.map(async client => client.closed));
		// The server counts a connection gone once it has seen it close.
		let response: Response | undefined;
		while (!response) {
			try {
				response = await fetch(url('/metrics'));
			} catch {
				// Closed at once while the server still counted the old ones: try again.
			}
		}

		expect(response.status).toBe(200);
	});
});

describe('start and close', () => {
	test('close ends an idle keep-alive connection and frees the port', async () => {
		const {server} = await serve();
		const {port} = server.address;
		expect(server.address.host).toBe('127.0.0.1');
		const client = await connect(port);
		client.socket.write(
			'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n',
		);
		while (!client.received().includes('"status":"ok"')) {
			await once(client.socket, 'data');
		}

		expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
		await server.close();
		// The idle connection was ended by close(), not left to its keep-alive timeout.
		await client.closed;
		await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();

		const again = await startHttpServer({
			host: '127.0.0.1',
			port,
			metrics: () => '',
			health: () => ({healthy: true, body: {}}),
		});
		expect(again.address).toEqual({host: '127.0.0.1', port});
		await again.close();
		// A second close is no error.
		await again.close();
	});

	test('a port in use: an error naming host:port that says it is in use', async () => {
		const {server} = await serve();
		const {port} = server.address;
		await expect(
			startHttpServer({
				host: '127.0.0.1',
				port,
				metrics: () => '',
				health: () => ({healthy: true, body: {}}),
			}),
		).rejects.toThrow(
			new RegExp(String.raw`127\.0\.0\.1:${port}\b.*in use`, 'v'),
		);
	});

	test('an IPv6 address is named in brackets', async () => {
		const blocker = net.createServer();
		try {
			await new Promise<void>((resolve, reject) => {
				blocker.once('error', reject);
				blocker.listen({host: '::1', port: 0}, resolve);
			});
		} catch {
			// No IPv6 loopback on this machine: nothing to check.
			return;
		}

		onTestFinished(() => {
			blocker.close();
		});
		const {port} = blocker.address() as net.AddressInfo;
		await expect(
			startHttpServer({
				host: '::1',
				port,
				metrics: () => '',
				health: () => ({healthy: true, body: {}}),
			}),
		).rejects.toThrow(`[::1]:${port}`);
	});
});
