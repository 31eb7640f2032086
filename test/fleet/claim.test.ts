import {setTimeout as delay} from 'node:timers/promises';
import {Queue} from 'bullmq';
import {Redis} from 'ioredis';
import {expect, test} from 'vitest';
import {openFleet} from '../../source/fleet/open-fleet.js';
import {bullPrefix, fleetKeys} from '../../source/fleet/fleet-keys.js';
import {createEngine} from '../../source/engine/create-engine.js';
import type {
	AttemptResult,
	RunAgentRequest,
} from '../../source/runner/run-agent.js';
import {
	buildConfig,
	createFakeClock,
	createRecorder,
} from '../helpers/index.js';
import {hasRedisServer} from './redis-server.js';
import {withRedisServer, workerInProcess} from './fleet-helpers.js';

/*
Who decides that a job never started (contract §10): the claim key, set NX by the worker before it
runs anything and by the engine when it gives the job up. A job that ran to its end, deleted by
BullMQ before the engine read its end, must never be taken for one that never started (and run
again); a job the engine gave up must never start.
*/

const server = withRedisServer();

const services = {
	fail: (message: string) => new Error(message),
	isProcessRunning: () => false,
};

const result = (extra: Partial<AttemptResult> = {}): AttemptResult => ({
	status: 'success',
	exitCode: 0,
	signal: undefined,
	error: undefined,
	haltReason: undefined,
	durationMs: 100,
	malformedLines: 0,
	passed: false,
	untrustedLines: [],
	...extra,
});

async function openTestFleet(url: string, queue: string) {
	return openFleet({
		workers: {redisUrl: url, queue},
		onLockLost: () => undefined,
		onLockHeldAgain: () => undefined,
		note: () => undefined,
		onWorkers: () => undefined,
		waitForPredecessorMs: 5000,
		services,
	});
}

test.runIf(hasRedisServer)(
	'an attempt that ended before its timeout, read late by the engine, is not run again',
	async () => {
		const {url} = server;
		const queue = 'claim1';
		const config = buildConfig({
			orchestrator: {
				workers: {redis: url, queue},
				killGraceSeconds: 0.5,
				backoffBaseSeconds: 0,
			},
			agents: {
				trader: {
					command: ['x'],
					enabled: true,
					runOn: 'gpu',
					retries: 1,
					timeout: 1,
				},
			},
		});
		let runs = 0;
		const worker = await workerInProcess({
			config,
			redisUrl: url,
			queue,
			services,
			async runAgent(request: RunAgentRequest) {
				runs++;
				void request.onLines?.([`placing order, run ${runs}`], 'stdout');
				await delay(100);
				return result();
			},
		});
		const fleet = await openTestFleet(url, queue);
		const recorder = createRecorder();
		const engine = createEngine({
			config,
			runAgent: fleet.runAgent(async () => {
				throw new Error('no local agent');
			}),
			clock: createFakeClock(),
			emit: recorder.emit,
			// The engine's log reads no more for a while: the end waits in Redis past the timeout.
			onLines: async () => delay(1500),
		});
		await engine.run({once: true});
		await fleet.close();
		await worker.stop();
		expect(runs).toBe(1);
		expect(recorder.ofType('attempt_end')).toHaveLength(1);
	},
);

test.runIf(hasRedisServer)(
	'a risk agent that said halt, read late by the engine, halts the cycle: never retried to a pass',
	async () => {
		const {url} = server;
		const queue = 'claim2';
		const config = buildConfig({
			orchestrator: {
				workers: {redis: url, queue},
				killGraceSeconds: 0.5,
				backoffBaseSeconds: 0,
			},
			agents: {
				risk: {
					command: ['x'],
					enabled: true,
					runOn: 'gpu',
					critical: true,
					retries: 1,
					timeout: 1,
				},
				trade: {command: ['t'], enabled: true},
			},
		});
		let runs = 0;
		const worker = await workerInProcess({
			config,
			redisUrl: url,
			queue,
			services,
			async runAgent(request) {
				runs++;
				void request.onLines?.(['checking'], 'stdout');
				await delay(100);
				return result({
					haltReason: runs === 1 ? 'drawdown over limit' : undefined,
					passed: runs !== 1,
				});
			},
		});
		const fleet = await openTestFleet(url, queue);
		let traded = 0;
		let slowLog = true;
		const engine = createEngine({
			config,
			runAgent: fleet.runAgent(async () => {
				traded++;
				return result({durationMs: 1});
			}),
			clock: createFakeClock(),
			emit: createRecorder().emit,
			async onLines() {
				if (slowLog) {
					slowLog = false;
					return delay(1500);
				}

				return undefined;
			},
		});
		await engine.run({once: true});
		await fleet.close();
		await worker.stop();
		expect(runs).toBe(1);
		expect(traded).toBe(0);
	},
);

test.runIf(hasRedisServer)(
	'a job the engine gave up (its claim is "cancelled") is refused by the worker that takes it late',
	async () => {
		const {url} = server;
		const queue = 'claim3';
		const keys = fleetKeys(queue);
		const config = buildConfig({
			orchestrator: {workers: {redis: url, queue}},
			agents: {m: {command: ['x'], enabled: true, runOn: 'gpu'}},
		});
		let runs = 0;
		const admin = new Redis(url);
		await admin.set(keys.engine, JSON.stringify({id: 'e1', host: 'h', pid: 1}));
		const worker = await workerInProcess({
			config,
			redisUrl: url,
			queue,
			services,
			async runAgent() {
				runs++;
				return result();
			},
		});
		await admin.set(keys.claim('j1'), 'cancelled');
		const jobs = new Queue(keys.workerQueue(worker.id), {
			connection: {url},
			prefix: bullPrefix,
		});
		await jobs.add(
			'm',
			{agent: 'm', cycle: 1, attempt: 1, engine: 'e1'},
			{jobId: 'j1', removeOnComplete: true},
		);
		let end = '';
		for (let tries = 0; tries < 50 && !end.includes('end'); tries++) {
			await delay(100);

			end = JSON.stringify(await admin.xrange(keys.output('j1'), '-', '+'));
		}

		expect(end).toContain('gave it up before it started');
		expect(runs).toBe(0);
		await jobs.close();
		admin.disconnect();
		await worker.stop();
	},
);

test.runIf(hasRedisServer)(
	'a cancel the worker did not hear (its subscription dropped) still ends the attempt: it is durable',
	async () => {
		const {url} = server;
		const queue = 'claim4';
		const config = buildConfig({
			orchestrator: {workers: {redis: url, queue}, killGraceSeconds: 0.5},
			agents: {m: {command: ['x'], enabled: true, runOn: 'gpu', timeout: 60}},
		});
		let aborted = false;
		const worker = await workerInProcess({
			config,
			redisUrl: url,
			queue,
			services,
			async runAgent(request) {
				await new Promise(resolve => {
					request.signal?.addEventListener('abort', () => {
						aborted = true;
						resolve(undefined);
					});
				});
				return result({
					status: 'cancelled',
					exitCode: undefined,
					signal: 'SIGTERM',
				});
			},
		});
		const fleet = await openTestFleet(url, queue);
		const admin = new Redis(url);
		const controller = new AbortController();
		const attempt = fleet.runAgent(async () => {
			throw new Error('no local agent');
		})({
			agent: 'm',
			command: ['x'],
			cwd: '/',
			env: {},
			timeoutMs: 60_000,
			killGraceMs: 500,
			signal: controller.signal,
			remote: {tag: 'gpu', cycle: 1, attempt: 1, onWorker: () => undefined},
		});
		await delay(1000);
		await admin.client('KILL', 'TYPE', 'pubsub');
		controller.abort();
		const ended = await attempt;
		expect(aborted).toBe(true);
		expect(ended.status).toBe('cancelled');
		admin.disconnect();
		await fleet.close();
		await worker.stop().catch(() => undefined);
	},
);

test.runIf(hasRedisServer)(
	'a running attempt whose cancel key the engine wrote is cancelled, with no message on the channel',
	async () => {
		const {url} = server;
		const queue = 'claim5';
		const keys = fleetKeys(queue);
		const config = buildConfig({
			orchestrator: {workers: {redis: url, queue}},
			agents: {m: {command: ['x'], enabled: true, runOn: 'gpu'}},
		});
		const admin = new Redis(url);
		await admin.set(keys.engine, JSON.stringify({id: 'e1', host: 'h', pid: 1}));
		const seen = {started: false};
		let aborted = false;
		const worker = await workerInProcess({
			config,
			redisUrl: url,
			queue,
			services,
			async runAgent(request) {
				seen.started = true;
				await new Promise(resolve => {
					request.signal?.addEventListener('abort', () => {
						aborted = true;
						resolve(undefined);
					});
				});
				return result({status: 'cancelled'});
			},
		});
		const jobs = new Queue(keys.workerQueue(worker.id), {
			connection: {url},
			prefix: bullPrefix,
		});
		await jobs.add(
			'm',
			{agent: 'm', cycle: 1, attempt: 1, engine: 'e1'},
			{jobId: 'j5', removeOnComplete: true},
		);
		for (let tries = 0; tries < 50 && !seen.started; tries++) {
			await delay(100);
		}

		expect(seen.started).toBe(true);
		await admin.set(keys.cancelOf('j5'), 'cancelled');
		await delay(1000);
		expect(aborted).toBe(true);
		await jobs.close();
		admin.disconnect();
		await worker.stop();
	},
);
