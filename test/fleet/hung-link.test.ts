import net from 'node:net';
import {setTimeout as delay} from 'node:timers/promises';
import {expect, test} from 'vitest';
import {connectRedis} from '../../source/fleet/connect-redis.js';
import {openFleet} from '../../source/fleet/open-fleet.js';
import {engineLockValue, takeQueueLock} from '../../source/fleet/queue-lock.js';
import type {AttemptResult} from '../../source/runner/run-agent.js';
import {buildConfig} from '../helpers/index.js';
import {hasRedisServer} from './redis-server.js';
import {withRedisServer, workerInProcess} from './fleet-helpers.js';

/*
A half-open link to Redis (no reply, no error, as a dead NAT or a frozen host gives): the engine's
lock counts as lost before it can have expired, and a remote attempt still ends on its timeout or a
stop, without retry.
*/

const server = withRedisServer();

const services = {
	fail: (message: string) => new Error(message),
	isProcessRunning: () => true,
};

/** A TCP proxy to Redis that can be frozen: its sockets stay open, nothing goes through. */
async function freezableProxy(port: number) {
	let frozen = false;
	const proxy = net.createServer(client => {
		const upstream = net.connect(port, '127.0.0.1');
		client.on('data', data => {
			if (!frozen) {
				upstream.write(data);
			}
		});
		upstream.on('data', data => {
			if (!frozen) {
				client.write(data);
			}
		});
		client.on('error', () => undefined);
		upstream.on('error', () => undefined);
	});
	await new Promise<void>(resolve => {
		proxy.listen(0, '127.0.0.1', resolve);
	});
	return {
		url: `redis://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
		freeze() {
			frozen = true;
		},
		close() {
			proxy.close();
		},
	};
}

test.runIf(hasRedisServer)(
	'an engine whose link hangs counts its lock lost before it expires',
	async () => {
		const proxy = await freezableProxy(Number(new URL(server.url).port));
		const redis = await connectRedis(proxy.url, {fail: services.fail});
		const lost: string[] = [];
		let lostAt = 0;
		const lock = await takeQueueLock(redis, {
			key: 'moondev:hang:engine',
			queue: 'hang',
			lock: engineLockValue('eA'),
			onLost(why) {
				lostAt = Date.now();
				lost.push(why);
			},
			onHeldAgain: () => undefined,
			services,
		});
		proxy.freeze();
		const frozenAt = Date.now();
		while (lock.held() && Date.now() - frozenAt < 10_000) {
			await delay(50);
		}

		// Counted lost while its key still stands in Redis, so before another engine can take it:
		// the key's expiry, read from Redis over a link of its own, comes after the loss.
		expect(lock.held()).toBe(false);
		const direct = await connectRedis(server.url, {fail: services.fail});
		const expiresAt = Date.now() + (await direct.pttl('moondev:hang:engine'));
		direct.disconnect();
		expect(lostAt).toBeGreaterThan(0);
		expect(lostAt).toBeLessThan(expiresAt);
		expect(lost).toEqual([
			'cannot renew the lock of the workers\' queue "hang" in Redis',
		]);
		await lock.release();
		redis.disconnect();
		proxy.close();
	},
);

test.runIf(hasRedisServer)(
	'a remote attempt whose engine link hangs still ends after its timeout, without retry',
	async () => {
		const queue = 'hang2';
		const config = buildConfig({
			orchestrator: {
				workers: {redis: server.url, queue},
				killGraceSeconds: 0.5,
			},
			agents: {m: {command: ['x'], enabled: true, runOn: 'gpu', timeout: 1}},
		});
		const worker = await workerInProcess({
			config,
			redisUrl: server.url,
			queue,
			services,
			async runAgent(request): Promise<AttemptResult> {
				await new Promise(resolve => {
					request.signal?.addEventListener('abort', resolve);
				});
				return {
					status: 'cancelled',
					exitCode: undefined,
					signal: 'SIGTERM',
					error: undefined,
					haltReason: undefined,
					durationMs: 1,
					malformedLines: 0,
					passed: false,
					untrustedLines: [],
				};
			},
		});
		const proxy = await freezableProxy(Number(new URL(server.url).port));
		const fleet = await openFleet({
			workers: {redisUrl: proxy.url, queue},
			onLockLost: () => undefined,
			onLockHeldAgain: () => undefined,
			note: () => undefined,
			onWorkers: () => undefined,
			waitForPredecessorMs: 5000,
			services,
		});
		const controller = new AbortController();
		let ended: AttemptResult | undefined;
		void fleet
			.runAgent(async () => {
				throw new Error('no local agent');
			})({
				agent: 'm',
				command: ['x'],
				cwd: '/',
				env: {},
				timeoutMs: 1000,
				killGraceMs: 500,
				signal: controller.signal,
				remote: {tag: 'gpu', cycle: 1, attempt: 1, onWorker: () => undefined},
			})
			.then(result => {
				ended = result;
			});
		await delay(500);
		proxy.freeze();
		const frozenAt = Date.now();
		const isEnded = () => ended !== undefined;
		while (!isEnded() && Date.now() - frozenAt < 15_000) {
			await delay(50);
		}

		// The link's 4 s, then a bounded cancel: it ends (within the loop's 15 s), never the hang it was.
		expect(isEnded()).toBe(true);
		expect(ended).toMatchObject({status: 'failed', noRetry: true});
		await worker.stop();
		proxy.close();
	},
);
