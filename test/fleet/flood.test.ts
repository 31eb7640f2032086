import {setTimeout as delay} from 'node:timers/promises';
import {Redis} from 'ioredis';
import {expect, test} from 'vitest';
import {outputStreamEntries} from '../../source/fleet/fleet-keys.js';
import {openFleet} from '../../source/fleet/open-fleet.js';
import {buildConfig} from '../helpers/index.js';
import {hasRedisServer} from './redis-server.js';
import {withRedisServer, workerInProcess} from './fleet-helpers.js';

/* A remote agent that floods its output while the engine's log reads slowly: Redis stays bounded. */

const server = withRedisServer();

const services = {
	fail: (message: string) => new Error(message),
	isProcessRunning: () => false,
};

test.runIf(hasRedisServer)(
	'a flooding remote agent: its stream in Redis stays short, dropped lines are counted, its halt and end arrive',
	async () => {
		const {url} = server;
		const queue = 'flood';
		const config = buildConfig({
			orchestrator: {workers: {redis: url, queue}},
			agents: {f: {command: ['x'], enabled: true, runOn: 'gpu'}},
		});
		const line = 'y'.repeat(1000);
		const worker = await workerInProcess({
			config,
			redisUrl: url,
			queue,
			services,
			async runAgent(request) {
				for (let round = 0; round < 40; round++) {
					for (let index = 0; index < 1000; index++) {
						void request.onLines?.([line], 'stdout');
					}

					await delay(5);
				}

				request.onMessage?.({type: 'halt', reason: 'limit'});
				return {
					status: 'success',
					exitCode: 0,
					signal: undefined,
					error: undefined,
					haltReason: undefined,
					durationMs: 1,
					malformedLines: 0,
					passed: false,
					untrustedLines: [],
				};
			},
		});
		const fleet = await openFleet({
			workers: {redisUrl: url, queue},
			onLockLost: () => undefined,
			onLockHeldAgain: () => undefined,
			note: () => undefined,
			onWorkers: () => undefined,
			waitForPredecessorMs: 5000,
			services,
		});
		const admin = new Redis(url);
		let longest = 0;
		const watching = {on: true};
		const watch = (async () => {
			while (watching.on) {
				for (const key of await admin.keys(`moondev:${queue}:out:*`)) {
					longest = Math.max(longest, await admin.xlen(key));
				}

				await delay(20);
			}
		})();
		const notes: string[] = [];
		const result = await fleet.runAgent(async () => {
			throw new Error('no local agent');
		})({
			agent: 'f',
			command: ['x'],
			cwd: '/',
			env: {},
			timeoutMs: 60_000,
			killGraceMs: 500,
			async onLines(lines) {
				notes.push(...lines.filter(text => text.includes('dropped')));
				// The engine's log writes slowly.
				return delay(20);
			},
			remote: {tag: 'gpu', cycle: 1, attempt: 1, onWorker: () => undefined},
		});
		watching.on = false;
		await watch;
		expect(result).toMatchObject({status: 'success', haltReason: 'limit'});
		expect(longest).toBeLessThanOrEqual(outputStreamEntries + 2);
		expect(notes.length).toBeGreaterThan(0);
		admin.disconnect();
		await fleet.close();
		await worker.stop();
	},
);
