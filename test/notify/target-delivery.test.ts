import {Buffer} from 'node:buffer';
import {once} from 'node:events';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {execa} from 'execa';
import {describe, expect, onTestFinished, test} from 'vitest';
import {
	type DeliveryOptions,
	createTargetDelivery,
	parseRetryAfter,
} from '../../source/notify/target-delivery.js';
import type {NotifyRequest} from '../../source/notify/types.js';
import {repoRoot, waitFor} from '../helpers/index.js';

/* Delivery to one target, against a real HTTP server on 127.0.0.1; sleeps are injected. */

/** What a webhook URL carries: none of it may show anywhere. */
const secrets = ['T0SECRET', 'B0SECRET', 'xoxb-token-42', 'qs-secret'];
const secretPath = '/services/T0SECRET/B0SECRET/xoxb-token-42?token=qs-secret';
const label = '#1 json 127.0.0.1';

/** What a server does with one request: answer it, or never. */
type Reply = {status: number; headers?: Record<string, string>} | 'hang';

type Hit = {
	/** Date.now() when the whole request was read. */
	readonly at: number;
	readonly body: string;
	readonly path: string | undefined;
	/** When the reply went out (Date.now()). */
	answeredAt?: number;
	/** The client went away before an answer. */
	aborted: boolean;
};

/** A server on a free port, closed when the test ends; `reply` decides each answer. */
async function serve(
	reply: (hit: Hit, index: number) => Reply | Promise<Reply>,
) {
	const hits: Hit[] = [];
	let inFlight = 0;
	let mostInFlight = 0;
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
		});
		request.on('end', () => {
			const hit: Hit = {
				at: Date.now(),
				body: Buffer.concat(chunks).toString('utf8'),
				path: request.url,
				aborted: false,
			};
			const index = hits.push(hit) - 1;
			inFlight++;
			mostInFlight = Math.max(mostInFlight, inFlight);
			response.on('close', () => {
				inFlight--;
				hit.aborted = !response.writableFinished;
			});
			void (async () => {
				const answer = await reply(hit, index);
				if (answer === 'hang' || response.destroyed) {
					return;
				}

				hit.answeredAt = Date.now();
				response.writeHead(answer.status, answer.headers);
				response.end('ok');
			})();
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	onTestFinished(async () => {
		server.closeAllConnections();
		server.close();
		await once(server, 'close');
	});
	const {port} = server.address() as AddressInfo;
	return {
		hits,
		mostInFlight: () => mostInFlight,
		url: `http://127.0.0.1:${port}${secretPath}`,
	};
}

/** Answers with these statuses in turn, then the last one for ever. */
const statuses =
	(...list: number[]) =>
	(_hit: Hit, index: number): Reply => ({
		status: list[Math.min(index, list.length - 1)]!,
	});

/** A sleep that only records what it was asked and lets the test go on at once. */
function recordingSleep() {
	const calls: number[] = [];
	return {
		calls,
		async sleep(ms: number) {
			calls.push(ms);
			await delay(0);
		},
	};
}

/** A gate a reply waits at until the test opens it. */
function gate() {
	let open!: () => void;
	const opened = new Promise<void>(resolve => {
		open = resolve;
	});
	return {open, opened};
}

const request = (body: string): NotifyRequest => ({
	method: 'POST',
	headers: {'content-type': 'application/json'},
	body,
});

/** A delivery closed when the test ends, with what its callbacks were told. */
function deliver(options: Partial<DeliveryOptions> & {url: string}) {
	const downs: string[] = [];
	let ups = 0;
	const delivery = createTargetDelivery({
		label,
		timeoutMs: 2000,
		random: () => 0.5,
		onDown(reason) {
			downs.push(reason);
		},
		onUp() {
			ups++;
		},
		...options,
	});
	onTestFinished(delivery.close);
	return {delivery, downs, ups: () => ups};
}

function expectNoSecret(text: string) {
	for (const secret of secrets) {
		expect(text).not.toContain(secret);
	}
}

describe('delivery to one target', () => {
	test('500 twice then 200: delivered once, in three requests, after backoffs ×2 with jitter', async () => {
		const server = await serve(statuses(500, 500, 200));
		const {calls, sleep} = recordingSleep();
		const {delivery, downs} = deliver({url: server.url, sleep});
		delivery.enqueue(request('{"n":1}'));
		await waitFor(() => delivery.stats().sent === 1);
		expect(server.hits.map(hit => hit.body)).toEqual([
			'{"n":1}',
			'{"n":1}',
			'{"n":1}',
		]);
		expect(server.hits[0]!.path).toBe(secretPath);
		// Full jitter at 0.5 of 1000, then of 2000.
		expect(calls).toEqual([500, 1000]);
		expect(delivery.stats()).toEqual({
			sent: 1,
			failed: 0,
			dropped: 0,
			queued: 0,
		});
		expect(downs).toEqual([]);
	});

	test('backoff is capped at maxDelayMs, and a request fails after maxAttempts', async () => {
		const server = await serve(statuses(503));
		const {calls, sleep} = recordingSleep();
		const {delivery} = deliver({
			url: server.url,
			sleep,
			random: () => 0.999,
			maxAttempts: 5,
			baseDelayMs: 100,
			maxDelayMs: 300,
			downAfter: 10,
		});
		delivery.enqueue(request('a'));
		await waitFor(() => delivery.stats().failed === 1);
		expect(server.hits).toHaveLength(5);
		expect(calls).toEqual([99, 199, 299, 299]);
	});

	test('429 with Retry-After: 1: the next attempt is not before the time it states', async () => {
		const server = await serve((_hit, index) =>
			index === 0
				? {status: 429, headers: {'retry-after': '1'}}
				: {status: 200},
		);
		const calls: number[] = [];
		const {delivery, downs} = deliver({
			url: server.url,
			// Really waits: the server's clock says when the next attempt came.
			async sleep(ms) {
				calls.push(ms);
				await delay(ms);
			},
		});
		delivery.enqueue(request('a'));
		await waitFor(() => delivery.stats().sent === 1);
		const [limited, next] = server.hits;
		expect(server.hits).toHaveLength(2);
		expect(calls).toHaveLength(1);
		// Counted from when the answer arrived, so a little less than 1000 is left by then.
		expect(calls[0]).toBeGreaterThan(900);
		expect(calls[0]).toBeLessThanOrEqual(1000);
		expect(next!.at - limited!.answeredAt!).toBeGreaterThanOrEqual(1000);
		expect(downs).toEqual([]);
	});

	test('a 429 holds the next request too, is capped at maxDelayMs × 5, and is not the target failing', async () => {
		const server = await serve((_hit, index) =>
			index === 0
				? {status: 429, headers: {'retry-after': '3600'}}
				: {status: 200},
		);
		const {calls, sleep} = recordingSleep();
		const {delivery, downs} = deliver({
			url: server.url,
			sleep,
			maxAttempts: 1,
			downAfter: 1,
			maxDelayMs: 200,
		});
		delivery.enqueue(request('a'));
		delivery.enqueue(request('b'));
		await waitFor(() => delivery.stats().queued === 0);
		expect(delivery.stats()).toMatchObject({sent: 1, failed: 1});
		expect(server.hits.map(hit => hit.body)).toEqual(['a', 'b']);
		// Before b, the rest of the 1000 ms (200 × 5) the 429 asked, not an hour.
		expect(calls).toHaveLength(1);
		expect(calls[0]).toBeGreaterThan(900);
		expect(calls[0]).toBeLessThanOrEqual(1000);
		expect(downs).toEqual([]);
	});

	test('Retry-After as an HTTP date, as seconds, or nonsense', () => {
		const now = Date.parse('2026-11-25T10:00:00.000Z');
		expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
		expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
		expect(parseRetryAfter('1.5', now)).toBe(1500);
		expect(parseRetryAfter('1 2', now)).toBeUndefined();
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter('-5', now)).toBeUndefined();
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
	});

	test('a server that never answers: the request times out, and enqueue returned at once', async () => {
		const server = await serve(() => 'hang');
		const {calls, sleep} = recordingSleep();
		const {delivery, downs} = deliver({
			url: server.url,
			sleep,
			timeoutMs: 150,
			maxAttempts: 2,
			downAfter: 1,
		});
		const started = performance.now();
		delivery.enqueue(request('a'));
		expect(performance.now() - started).toBeLessThan(50);
		expect(delivery.stats().queued).toBe(1);
		// The caller's own work goes on meanwhile.
		let ticks = 0;
		const ticker = setInterval(() => {
			ticks++;
		}, 10);
		onTestFinished(() => {
			clearInterval(ticker);
		});
		await waitFor(() => delivery.stats().failed === 1);
		expect(ticks).toBeGreaterThan(5);
		expect(server.hits).toHaveLength(2);
		await waitFor(
			() => server.hits.every(hit => hit.aborted),
			5000,
			'the aborts',
		);
		expect(calls).toEqual([500]);
		expect(downs).toHaveLength(1);
		expect(downs[0]).toBe(
			`${label}: timed out after 150 ms (1 requests failed in a row)`,
		);
	});

	test('404 is not retried: a wrong URL does not heal', async () => {
		const server = await serve(statuses(404));
		const {calls, sleep} = recordingSleep();
		const {delivery} = deliver({url: server.url, sleep, downAfter: 5});
		delivery.enqueue(request('a'));
		await waitFor(() => delivery.stats().failed === 1);
		expect(server.hits).toHaveLength(1);
		expect(calls).toEqual([]);
	});

	test('408 is retried, a redirect is not followed', async () => {
		const server = await serve((_hit, index) =>
			index === 0
				? {status: 408}
				: {status: 302, headers: {location: '/elsewhere'}},
		);
		const {sleep} = recordingSleep();
		const {delivery, downs} = deliver({
			url: server.url,
			sleep,
			downAfter: 1,
		});
		delivery.enqueue(request('a'));
		await waitFor(() => delivery.stats().failed === 1);
		expect(server.hits.map(hit => hit.path)).toEqual([secretPath, secretPath]);
		expect(downs[0]).toContain('HTTP 302');
	});

	test('down after 2 failed requests: onDown once, naming the label and the status but no part of the URL; onUp after recovery', async () => {
		let status = 503;
		const server = await serve(() => ({status}));
		const {calls, sleep} = recordingSleep();
		const {delivery, downs, ups} = deliver({
			url: server.url,
			sleep,
			maxAttempts: 1,
			retryDownAfterMs: 45_000,
		});
		for (const body of ['a', 'b', 'c', 'd']) {
			delivery.enqueue(request(body));
		}

		await waitFor(() => delivery.stats().failed === 4);
		expect(downs).toEqual([`${label}: HTTP 503 (2 requests failed in a row)`]);
		// Once the target was down, c and d each waited.
		expect(calls).toHaveLength(2);
		for (const ms of calls) {
			expect(ms).toBeGreaterThan(44_000);
			expect(ms).toBeLessThanOrEqual(45_000);
		}

		expect(ups()).toBe(0);
		status = 200;
		delivery.enqueue(request('e'));
		await waitFor(() => delivery.stats().sent === 1);
		expect(ups()).toBe(1);
		expect(server.hits.map(hit => hit.body)).toEqual(['a', 'b', 'c', 'd', 'e']);

		// A new spell, a new onDown.
		status = 500;
		delivery.enqueue(request('f'));
		delivery.enqueue(request('g'));
		await waitFor(() => delivery.stats().failed === 6);
		expect(downs).toHaveLength(2);
		for (const reason of downs) {
			expectNoSecret(reason);
		}
	});

	test('reasons never carry the URL: a closed port, a URL that does not parse, another scheme', async () => {
		// A port that was free a moment ago.
		const probe = http.createServer();
		probe.listen(0, '127.0.0.1');
		await once(probe, 'listening');
		const {port} = probe.address() as AddressInfo;
		probe.close();
		await once(probe, 'close');

		const urls = [
			`http://127.0.0.1:${port}${secretPath}`,
			`http//127.0.0.1${secretPath}`,
			`ftp://127.0.0.1${secretPath}`,
		];
		const reasons: string[] = [];
		for (const url of urls) {
			const {sleep} = recordingSleep();
			const {delivery, downs} = deliver({
				url,
				sleep,
				maxAttempts: 2,
				downAfter: 1,
			});
			delivery.enqueue(request('a'));
			await waitFor(() => downs.length === 1);
			reasons.push(downs[0]!);
		}

		expect(reasons).toEqual([
			`${label}: network error (ECONNREFUSED) (1 requests failed in a row)`,
			`${label}: the URL is not valid (1 requests failed in a row)`,
			`${label}: the URL is not http or https (1 requests failed in a row)`,
		]);
		for (const reason of reasons) {
			expectNoSecret(reason);
		}
	});

	test('a fetch that throws an error naming the URL: the reason does not', async () => {
		const {sleep} = recordingSleep();
		const url = `https://hooks.example.invalid${secretPath}`;
		const {delivery, downs} = deliver({
			url,
			sleep,
			maxAttempts: 1,
			downAfter: 1,
			async fetch() {
				throw new TypeError(`fetch failed: ${url}`, {
					cause: Object.assign(new Error(`connect ${url}`), {
						code: 'ENOTFOUND',
					}),
				});
			},
		});
		delivery.enqueue(request('a'));
		await waitFor(() => downs.length === 1);
		expect(downs[0]).toBe(
			`${label}: network error (ENOTFOUND) (1 requests failed in a row)`,
		);
	});

	test('one request at a time, in order', async () => {
		const server = await serve(async () => {
			await delay(5);
			return {status: 200};
		});
		const {delivery} = deliver({url: server.url});
		const bodies = Array.from({length: 8}, (_, index) => `m${index}`);
		for (const body of bodies) {
			delivery.enqueue(request(body));
		}

		expect(delivery.stats().queued).toBe(8);
		await waitFor(() => delivery.stats().sent === 8);
		expect(server.hits.map(hit => hit.body)).toEqual(bodies);
		expect(server.mostInFlight()).toBe(1);
	});

	test('critical requests jump ahead of the non-critical ones waiting, and keep their own order', async () => {
		const held = gate();
		const server = await serve(async (_hit, index) => {
			if (index === 0) {
				await held.opened;
			}

			return {status: 200};
		});
		const {delivery} = deliver({url: server.url});
		delivery.enqueue(request('a'));
		await waitFor(() => server.hits.length === 1);
		delivery.enqueue(request('b'));
		delivery.enqueue(request('c'));
		delivery.enqueue(request('X'), {critical: true});
		delivery.enqueue(request('d'));
		delivery.enqueue(request('Y'), {critical: true});
		held.open();
		await waitFor(() => delivery.stats().sent === 6);
		expect(server.hits.map(hit => hit.body)).toEqual([
			'a',
			'X',
			'Y',
			'b',
			'c',
			'd',
		]);
	});

	test('past maxQueued the oldest non-critical request is dropped; a queue of only critical ones loses its oldest', async () => {
		const held = gate();
		const server = await serve(async (_hit, index) => {
			if (index === 0) {
				await held.opened;
			}

			return {status: 200};
		});
		const {delivery} = deliver({url: server.url, maxQueued: 2});
		delivery.enqueue(request('a'));
		await waitFor(() => server.hits.length === 1);
		delivery.enqueue(request('b'));
		delivery.enqueue(request('c'));
		expect(delivery.stats()).toMatchObject({dropped: 0, queued: 3});
		delivery.enqueue(request('d')); // Drops b.
		delivery.enqueue(request('X'), {critical: true}); // Drops c.
		delivery.enqueue(request('Y'), {critical: true}); // Drops d.
		// Nothing but critical ones waiting: the oldest goes, so memory stays bounded.
		delivery.enqueue(request('Z'), {critical: true}); // Drops X.
		delivery.enqueue(request('e')); // Drops e itself.
		expect(delivery.stats()).toEqual({
			sent: 0,
			failed: 0,
			dropped: 5,
			queued: 3,
		});
		held.open();
		await waitFor(() => delivery.stats().queued === 0);
		expect(server.hits.map(hit => hit.body)).toEqual(['a', 'Y', 'Z']);
		expect(delivery.stats()).toEqual({
			sent: 3,
			failed: 0,
			dropped: 5,
			queued: 0,
		});
	});

	test('drain resolves as soon as the queue is empty, and nothing starts after', async () => {
		const server = await serve(statuses(200));
		const {delivery} = deliver({url: server.url});
		delivery.enqueue(request('a'));
		delivery.enqueue(request('b'));
		const started = performance.now();
		await delivery.drain(10_000);
		expect(performance.now() - started).toBeLessThan(5000);
		expect(delivery.stats()).toEqual({
			sent: 2,
			failed: 0,
			dropped: 0,
			queued: 0,
		});
		// Counted at once: after drain, enqueue starts nothing.
		delivery.enqueue(request('c'));
		expect(delivery.stats()).toMatchObject({failed: 1, queued: 0});
		expect(server.hits).toHaveLength(2);
	});

	test('drain with a deadline: what is left counts as failed, the one in flight is aborted', async () => {
		const server = await serve(() => 'hang');
		const {delivery} = deliver({url: server.url, timeoutMs: 60_000});
		for (const body of ['a', 'b', 'c']) {
			delivery.enqueue(request(body));
		}

		await waitFor(() => server.hits.length === 1);
		const started = performance.now();
		await delivery.drain(150);
		expect(performance.now() - started).toBeGreaterThanOrEqual(140);
		expect(delivery.stats()).toEqual({
			sent: 0,
			failed: 3,
			dropped: 0,
			queued: 0,
		});
		await waitFor(() => server.hits[0]!.aborted, 5000, 'the abort');
		expect(server.hits).toHaveLength(1);
	});

	test('drain on an idle delivery returns at once; drain after close too', async () => {
		const {delivery} = deliver({url: 'http://127.0.0.1:9/x'});
		await delivery.drain(60_000);
		delivery.close();
		await delivery.drain(60_000);
		expect(delivery.stats()).toEqual({
			sent: 0,
			failed: 0,
			dropped: 0,
			queued: 0,
		});
	});

	test('close aborts the request in flight and drops the rest, counted failed; a drain waiting ends', async () => {
		const server = await serve(() => 'hang');
		const {delivery, downs} = deliver({url: server.url, timeoutMs: 60_000});
		delivery.enqueue(request('a'));
		delivery.enqueue(request('b'));
		await waitFor(() => server.hits.length === 1);
		const drained = delivery.drain(60_000);
		delivery.close();
		await drained;
		expect(delivery.stats()).toEqual({
			sent: 0,
			failed: 2,
			dropped: 0,
			queued: 0,
		});
		delivery.enqueue(request('c'));
		expect(delivery.stats().failed).toBe(3);
		// By the time the server sees the abort, b would have started, had it been going to.
		await waitFor(() => server.hits[0]!.aborted, 5000, 'the abort');
		expect(server.hits).toHaveLength(1);
		expect(downs).toEqual([]);
	});

	test('close during a backoff ends the wait; callbacks that throw and a sleep that rejects do not reach the caller', async () => {
		const server = await serve(statuses(500));
		let slept = 0;
		const delivery = createTargetDelivery({
			url: server.url,
			label,
			timeoutMs: 2000,
			downAfter: 1,
			maxAttempts: 1,
			async sleep(_ms, signal) {
				slept++;
				await new Promise((_resolve, reject) => {
					signal?.addEventListener('abort', () => {
						reject(new Error('aborted'));
					});
				});
			},
			onDown() {
				throw new Error('a callback that throws');
			},
		});
		onTestFinished(delivery.close);
		delivery.enqueue(request('a'));
		delivery.enqueue(request('b'));
		await waitFor(() => slept === 1);
		expect(delivery.stats()).toMatchObject({failed: 1, queued: 1});
		delivery.close();
		expect(delivery.stats()).toMatchObject({failed: 2, queued: 0});
		expect(server.hits).toHaveLength(1);
	});

	test('its timers do not hold the process open', async () => {
		// A refused connection, then a backoff of a minute with the real, unref'd sleep.
		const module = path.join(repoRoot, 'source/notify/target-delivery.ts');
		const script = String.raw`
			import {createTargetDelivery} from ${JSON.stringify(module)};
			const delivery = createTargetDelivery({
				url: 'http://127.0.0.1:9/hook', label: '#1 json 127.0.0.1', timeoutMs: 60_000,
				baseDelayMs: 60_000, random: () => 1, downAfter: 1,
				async fetch(url, init) {
					try {
						return await fetch(url, init);
					} catch (error) {
						console.log('refused, now a backoff of a minute');
						throw error;
					}
				},
			});
			delivery.enqueue({method: 'POST', headers: {}, body: 'a'});
		`;
		const started = Date.now();
		const result = await execa(
			process.execPath,
			['--import', 'tsx', '--input-type=module', '-e', script],
			{reject: false, cwd: repoRoot, timeout: 20_000},
		);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe('refused, now a backoff of a minute');
		expect(Date.now() - started).toBeLessThan(15_000);
	});
});
