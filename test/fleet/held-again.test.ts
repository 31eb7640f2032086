import {setTimeout as delay} from 'node:timers/promises';
import {Redis} from 'ioredis';
import {expect, test} from 'vitest';
import {fleetKeys} from '../../source/fleet/fleet-keys.js';
import {openFleet} from '../../source/fleet/open-fleet.js';
import {hasRedisServer} from './redis-server.js';
import {withRedisServer} from './fleet-helpers.js';

/*
An engine that takes its queue again after losing it waits, as at the start, until no attempt of
another engine runs on a worker: the two never trade at once.
*/

const server = withRedisServer();

test.runIf(hasRedisServer)(
	"the lock taken again: cycles go on only once the other engine's attempts have ended",
	async () => {
		const {url} = server;
		const queue = 'again';
		const keys = fleetKeys(queue);
		const events: string[] = [];
		const fleet = await openFleet({
			workers: {redisUrl: url, queue},
			onLockLost() {
				events.push('lost');
			},
			onLockHeldAgain() {
				events.push('held again');
			},
			note: () => undefined,
			onWorkers: () => undefined,
			waitForPredecessorMs: 5000,
			services: {
				fail: (message: string) => new Error(message),
				isProcessRunning: () => true,
			},
		});
		const admin = new Redis(url);
		// Another engine takes the queue and runs an attempt on a worker.
		await admin.set(
			keys.engine,
			JSON.stringify({id: 'other', host: 'elsewhere', pid: 1}),
		);
		await admin.sadd(keys.workers, 'w1');
		await admin.set(
			keys.worker('w1'),
			JSON.stringify({
				id: 'w1',
				host: 'h',
				pid: 1,
				tags: ['gpu'],
				concurrency: 1,
				stopping: false,
				running: [
					{agent: 'trade', cycle: 1, attempt: 1, engine: 'other', job: 'j'},
				],
			}),
		);
		await delay(1500);
		expect(events).toEqual(['lost']);
		// The other engine is gone: its lock expires, ours takes it again; its attempt still runs.
		await admin.del(keys.engine);
		await delay(2000);
		const holder = await admin.get(keys.engine);
		expect(holder).not.toBeNull();
		expect(holder).not.toContain('"other"');
		expect(events).toEqual(['lost']);
		// Its attempt ends.
		await admin.del(keys.worker('w1'));
		await delay(1500);
		expect(events).toEqual(['lost', 'held again']);
		admin.disconnect();
		await fleet.close();
	},
);
