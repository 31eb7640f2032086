import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {Queue} from 'bullmq';
import {Redis} from 'ioredis';
import {describe, expect, test} from 'vitest';
import {
	bullPrefix,
	fleetKeys,
	parseJson,
} from '../../source/fleet/fleet-keys.js';
import {
	fixtureCommand,
	isAlive,
	isolatedEnv,
	runCli,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';
import {startRedisServer} from './redis-server.js';
import {
	endOf,
	hasRedisServer,
	runOnce,
	startEngine,
	startWorker,
	withRedisServer,
	writeConfig,
} from './fleet-helpers.js';

/*
What reaches a worker from the engine and what a worker refuses (contract §10): status, cancel and
stop; fencing when the engine is gone, and a new engine waiting for its predecessor's attempts; a
clean stop of a worker; jobs written to Redis by anyone else.
*/

const redis = withRedisServer();

/** A remote agent that hangs with a grandchild in its group, whose pid it writes to a file. */
function hangingConfig() {
	const dir = temporaryDirectory();
	const pidFile = path.join(dir, 'grandchild.pid');
	const agents = (next: boolean) => ({
		slow: {
			command: fixtureCommand('hang-with-child.mjs', pidFile),
			enabled: !next,
			timeout: 60,
			runOn: 'gpu',
		},
		// What the next engine runs: it checks that the old attempt's group is gone.
		check: {
			command: fixtureCommand('check-gone.mjs', pidFile),
			enabled: next,
			runOn: 'gpu',
		},
	});
	const config = writeConfig(agents(false), {
		dir,
		orchestrator: {sleepBetweenRunsMinutes: 5},
	});
	return {...config, pidFile, nextAgents: agents(true)};
}

describe.skipIf(!hasRedisServer)('engine and workers', () => {
	test('status shows the workers and where each agent runs; cancel kills its group on the worker', async () => {
		const {file, pidFile} = hangingConfig();
		const worker = await startWorker(redis, file, 'gpu');
		const env = isolatedEnv();
		const {events} = startEngine(redis, file, env);
		await waitFor(() => existsSync(pidFile), 20_000, 'slow to start');
		const grandchild = Number(readFileSync(pidFile, 'utf8'));

		type Seen = {
			agents: Array<{name: string; worker?: string}>;
			workers: Array<{id: string; tags: string[]; running: number}>;
		};
		// The engine looks at its workers every second: what it shows may be that late.
		let seen: Seen | undefined;
		for (
			let tries = 0;
			tries < 50 && seen?.workers[0]?.running !== 1;
			tries++
		) {
			const status = await runCli(['status', '--json', '--config', file], {
				env,
			});
			expect(status.exitCode).toBe(0);
			seen = JSON.parse(status.stdout) as Seen;
		}

		expect(seen!.agents.find(agent => agent.name === 'slow')?.worker).toBe(
			worker.id,
		);
		expect(seen!.workers).toMatchObject([
			{id: worker.id, tags: ['gpu'], running: 1},
		]);
		const text = await runCli(['status', '--config', file], {env});
		expect(text.stdout).toContain(`[on ${worker.id}]`);
		expect(text.stdout).toContain(`workers (1 live):\n  ${worker.id} on `);
		expect(text.stdout).not.toContain(redis.url);

		const cancel = await runCli(['cancel', 'slow', '--config', file], {env});
		expect(cancel.exitCode).toBe(0);
		await waitFor(
			() => endOf(events(), 'slow') !== undefined,
			20_000,
			'slow to end',
		);
		expect(endOf(events(), 'slow')).toMatchObject({
			status: 'cancelled',
			worker: worker.id,
		});
		await waitFor(() => !isAlive(grandchild), 5000, 'the grandchild to end');
	});

	test('stopping the engine stops its remote attempts with their grace', async () => {
		const {file, pidFile} = hangingConfig();
		await startWorker(redis, file, 'gpu');
		const {engine, events} = startEngine(redis, file, isolatedEnv());
		await waitFor(() => existsSync(pidFile), 20_000, 'slow to start');
		const grandchild = Number(readFileSync(pidFile, 'utf8'));
		engine.kill('SIGTERM');
		const ended = await engine;
		expect(ended.exitCode).toBe(143);
		expect(endOf(events(), 'slow')).toMatchObject({status: 'cancelled'});
		await waitFor(() => !isAlive(grandchild), 5000, 'the grandchild to end');
	});

	test("a worker fences an engine that is gone; the next engine waits until its predecessor's attempts have ended", async () => {
		const {file, pidFile, queue, nextAgents} = hangingConfig();
		const worker = await startWorker(redis, file, 'gpu');
		const {engine} = startEngine(redis, file, isolatedEnv());
		await waitFor(() => existsSync(pidFile), 20_000, 'slow to start');
		engine.kill('SIGKILL');
		await engine;

		// On the same queue at once: its first remote agent checks that the old one's group is gone.
		const next = writeConfig(nextAgents, {queue});
		const {exitCode, events} = await runOnce(redis, next.file);
		expect(endOf(events, 'check')).toMatchObject({status: 'success'});
		expect(exitCode).toBe(0);
		expect(worker.log()).toContain(
			'slow: cancelled (fenced: the engine that sent it no longer holds the queue)',
		);
	});

	test('when Redis goes silent the worker kills its attempt, and the engine fails it and starts no new cycle', async () => {
		// A Redis of its own, to kill.
		const own = await startRedisServer();
		const {file, pidFile} = hangingConfig();
		const worker = await startWorker(own, file, 'gpu');
		const env = isolatedEnv();
		const {engine, events} = startEngine(own, file, env);
		await waitFor(() => existsSync(pidFile), 20_000, 'slow to start');
		const grandchild = Number(readFileSync(pidFile, 'utf8'));
		await own.stop();

		await waitFor(() => !isAlive(grandchild), 20_000, 'the grandchild to end');
		expect(worker.log()).toContain(
			'slow: cancelled (fenced: Redis has not answered for 3s)',
		);
		await waitFor(
			() => endOf(events(), 'slow') !== undefined,
			20_000,
			'the engine to give up on slow',
		);
		expect(endOf(events(), 'slow')).toMatchObject({
			status: 'failed',
			attempts: 1,
			error: 'lost the link to Redis mid-attempt',
		});
		await waitFor(
			() =>
				events().some(
					event =>
						event.type === 'alert' &&
						String(event.message).startsWith("lost the workers' queue"),
				),
			20_000,
			'the lock to be lost',
		);
		const status = await runCli(['status', '--json', '--config', file], {env});
		expect((JSON.parse(status.stdout) as {held: string[]}).held).toEqual([
			"the workers' queue",
		]);
		// Redis gone, a stop still ends the engine.
		engine.kill('SIGTERM');
		const ended = await engine;
		expect(ended.exitCode).toBe(143);
	});

	test('a worker stopped cleanly lets its running attempt finish', async () => {
		const dir = temporaryDirectory();
		const {file} = writeConfig(
			{
				model: {
					command: fixtureCommand('sleep.mjs', '1500'),
					enabled: true,
					runOn: 'gpu',
				},
			},
			{dir},
		);
		const worker = await startWorker(redis, file, 'gpu');
		const engine = runOnce(redis, file);
		await waitFor(
			() => worker.log().includes('model: cycle 1'),
			20_000,
			'model to start',
		);
		worker.subprocess.kill('SIGTERM');
		const {exitCode, events} = await engine;
		expect(endOf(events, 'model')).toMatchObject({
			status: 'success',
			worker: worker.id,
		});
		expect(exitCode).toBe(0);
		const stopped = await worker.subprocess;
		expect(stopped.exitCode).toBe(143);
	});

	test('a worker stopped cleanly hands back the attempts it had not started', async () => {
		const {file} = writeConfig({
			first: {
				command: fixtureCommand('sleep.mjs', '1500'),
				enabled: true,
				runOn: 'gpu',
			},
			second: {
				command: fixtureCommand('sleep.mjs', '1500'),
				enabled: true,
				runOn: 'gpu',
			},
		});
		// One worker, one attempt at a time: the second waits in its queue.
		const worker = await startWorker(redis, file, 'gpu');
		const engine = runOnce(redis, file);
		await waitFor(
			() => /(?:first|second): cycle 1/v.test(worker.log()),
			20_000,
			'an attempt to start',
		);
		worker.subprocess.kill('SIGTERM');
		const {events} = await engine;
		const ends = ['first', 'second'].map(agent => endOf(events, agent));
		expect(
			ends
				.map(end => String(end?.status))
				.toSorted((a, b) => a.localeCompare(b)),
		).toEqual(['failed', 'success']);
		expect(ends.find(end => end?.status === 'failed')).toMatchObject({
			error: `worker ${worker.id} stopped before it started`,
			attempts: 1,
		});
	});

	test('a job written to Redis by anyone else is refused: an unknown agent, an untagged one, a stale engine', async () => {
		const dir = temporaryDirectory();
		const touched = path.join(dir, 'touched');
		const {file, queue} = writeConfig(
			{
				model: {
					command: fixtureCommand('touch.mjs', touched),
					enabled: true,
					runOn: 'gpu',
				},
				other: {
					command: fixtureCommand('touch.mjs', touched),
					enabled: true,
					runOn: 'eu',
				},
			},
			{dir},
		);
		const worker = await startWorker(redis, file, 'gpu');
		const keys = fleetKeys(queue);
		const connection = new Redis(redis.url, {maxRetriesPerRequest: null});
		const jobs = new Queue(keys.workerQueue(worker.id), {
			connection,
			prefix: bullPrefix,
		});
		try {
			const sent = [
				{agent: 'evil', command: ['touch', touched]},
				{agent: 'other'},
				{agent: 'model'},
			];
			for (const [index, data] of sent.entries()) {
				await jobs.add(
					'x',
					{...data, cycle: 1, attempt: 1, engine: 'nobody'},
					{
						jobId: `forged-${index}`,
					},
				);
			}

			await waitFor(
				() => (worker.log().match(/refused job/gv) ?? []).length === 3,
				10_000,
				'the jobs to be refused',
			);
			expect(worker.log()).toContain(
				'refused job forged-0: no agent "evil" in its config',
			);
			expect(worker.log()).toContain(
				'refused job forged-1: other does not run on its tags (gpu)',
			);
			expect(worker.log()).toContain(
				'refused job forged-2: the engine that sent it does not hold the queue',
			);
			expect(existsSync(touched)).toBe(false);
			const entries = await connection.xrange(
				keys.output('forged-0'),
				'-',
				'+',
			);
			expect(parseJson(entries[0]?.[1][1])).toMatchObject([
				{end: {status: 'failed'}},
			]);
		} finally {
			await jobs.close();
			connection.disconnect();
		}
	});
});
