import {Buffer} from 'node:buffer';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, onTestFinished, test} from 'vitest';
import {
	fixtureCommand,
	isAlive,
	parseJsonLines,
	startCli,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';
import {
	endOf,
	hasRedisServer,
	runOnce as runOnceWith,
	startWorker as startWorkerWith,
	withRedisServer,
	writeConfig,
} from './fleet-helpers.js';

/*
Agents on workers (contract §10), with real components as a user starts them: a real
redis-server on a free port, workers and engines as the built CLI. Two workers on this machine
stand for two machines. Each test has its own queue.
*/

const redis = withRedisServer();
const redisEnv = () => ({MOONDEV_REDIS_URL: redis.url});
const startWorker = async (file: string, tags: string) =>
	startWorkerWith(redis, file, tags);
const runOnce = async (file: string) => runOnceWith(redis, file);

describe.skipIf(!hasRedisServer)('agents on workers through Redis', () => {
	test('an agent with runOn runs on a worker carrying its tag, its output, progress and metrics in the engine', async () => {
		const {file, dir} = writeConfig({
			local: {command: fixtureCommand('say.mjs', 'here'), enabled: true},
			model: {
				command: fixtureCommand('protocol.mjs'),
				enabled: true,
				runOn: 'gpu',
			},
		});
		const gpu = await startWorker(file, 'gpu');
		// A second machine without the tag: it never gets the model.
		const other = await startWorker(file, 'eu');

		const {exitCode, events, stderr} = await runOnce(file);
		expect(stderr).not.toContain(redis.url);
		expect(exitCode).toBe(0);
		const start = events.find(
			event => event.type === 'agent_start' && event.agent === 'model',
		);
		expect(start).toMatchObject({worker: gpu.id, attempt: 1});
		expect(
			events.find(
				event => event.type === 'agent_start' && event.agent === 'local',
			),
		).not.toHaveProperty('worker');
		expect(endOf(events, 'model')).toMatchObject({
			status: 'success',
			worker: gpu.id,
		});
		expect(
			events
				.filter(
					event => event.type === 'agent_progress' && event.agent === 'model',
				)
				.map(event => event.percent),
		).toEqual([40, 100]);
		expect(events.map(event => event.type)).toContain('alert');
		expect(gpu.log()).toContain('model: success');
		expect(other.log()).not.toContain('model');

		// Its output is in the engine's log, under a header naming the worker; its metric in the file.
		const folder = path.join(dir, 'data', 'orchestrator');
		const log = readFileSync(path.join(folder, 'logs', 'model.log'), 'utf8');
		expect(log).toContain(`on worker ${gpu.id}`);
		expect(log).toContain('a plain log line');
		expect(log).toContain('a line on stderr');
		const metricsFile = readdirSync(folder).find(name =>
			name.startsWith('metrics_'),
		)!;
		const metrics = JSON.parse(
			readFileSync(path.join(folder, metricsFile), 'utf8'),
		) as {
			cycle: Record<string, {worker?: string}>;
			custom_metrics: Record<string, number>;
		};
		expect(metrics.custom_metrics['model.var_95']).toBe(0.031);
		expect(metrics.cycle.model?.worker).toBe(gpu.id);
		expect(metrics.cycle.local?.worker).toBeUndefined();
	});

	test("the worker runs the command and env of its own config, never the engine's", async () => {
		const engineSide = writeConfig({
			model: {
				command: fixtureCommand('say.mjs', 'the engine config'),
				enabled: true,
				runOn: 'gpu',
				env: {API_KEY: 'engine-key'},
			},
		});
		// The worker's machine: its own copy, its own key, on the same queue.
		const workerSide = writeConfig(
			{
				model: {
					command: fixtureCommand('env.mjs'),
					enabled: true,
					runOn: 'gpu',
					env: {API_KEY: 'worker-key'},
				},
			},
			{queue: engineSide.queue},
		);
		await startWorker(workerSide.file, 'gpu');
		const {exitCode} = await runOnce(engineSide.file);
		expect(exitCode).toBe(0);
		const log = readFileSync(
			path.join(engineSide.dir, 'data', 'orchestrator', 'logs', 'model.log'),
			'utf8',
		);
		expect(log).toContain('"API_KEY":"worker-key"');
		expect(log).toContain('"MOONDEV_AGENT":"model","MOONDEV_CYCLE":"1"');
		expect(log).not.toContain('engine-key');
		// The worker's own link to Redis is not its agents' business.
		expect(log).not.toContain('MOONDEV_REDIS_URL');
		expect(log).not.toContain('the engine config');
	});

	test('every line of a remote agent arrives, in order, with its progress', async () => {
		const {file, dir} = writeConfig({
			model: {
				command: fixtureCommand('numbered.mjs', '50000'),
				enabled: true,
				runOn: 'gpu',
			},
		});
		await startWorker(file, 'gpu');
		const {exitCode, events} = await runOnce(file);
		expect(exitCode).toBe(0);
		const log = readFileSync(
			path.join(dir, 'data', 'orchestrator', 'logs', 'model.log'),
			'utf8',
		)
			.split('\n')
			.filter(line => line.startsWith('line '));
		expect(log).toHaveLength(50_000);
		expect(log.every((line, index) => line === `line ${index + 1}`)).toBe(true);
		const percents = events
			.filter(event => event.type === 'agent_progress')
			.map(event => event.percent as number);
		expect(percents.at(-1)).toBe(100);
		expect(percents).toEqual(percents.toSorted((a, b) => a - b));
	});

	test("a remote critical agent's halt stops the cycle", async () => {
		const {file} = writeConfig({
			risk: {
				command: fixtureCommand('halt.mjs', 'limit breached'),
				enabled: true,
				critical: true,
				requireVerdict: true,
				runOn: 'gpu',
			},
			trading: {command: fixtureCommand('say.mjs', 'trade'), enabled: true},
		});
		const gpu = await startWorker(file, 'gpu');
		const {exitCode, events} = await runOnce(file);
		expect(exitCode).toBe(3);
		expect(events).toContainEqual(
			expect.objectContaining({
				type: 'halt',
				agent: 'risk',
				reason: 'limit breached',
			}),
		);
		expect(endOf(events, 'risk')).toMatchObject({
			status: 'halted',
			worker: gpu.id,
		});
		expect(
			events.some(
				event => event.type === 'agent_start' && event.agent === 'trading',
			),
		).toBe(false);
	});

	test("a remote agent's timeout kills its process group on the worker", async () => {
		const dir = temporaryDirectory();
		const pidFile = path.join(dir, 'grandchild.pid');
		const {file} = writeConfig(
			{
				slow: {
					command: fixtureCommand('hang-with-child.mjs', pidFile),
					enabled: true,
					timeout: 1,
					runOn: 'gpu',
				},
			},
			{dir},
		);
		await startWorker(file, 'gpu');
		const {exitCode, events} = await runOnce(file);
		expect(exitCode).toBe(1);
		expect(endOf(events, 'slow')).toMatchObject({
			status: 'timeout',
			error: 'timed out after 1s',
		});
		const grandchild = Number(readFileSync(pidFile, 'utf8'));
		await waitFor(() => !isAlive(grandchild), 5000, 'the grandchild to end');
	});

	test('a worker SIGKILLed mid-attempt fails it ("worker lost"), never run again in that cycle; a critical one halts', async () => {
		const dir = temporaryDirectory();
		const runs = path.join(dir, 'runs.txt');
		const {file} = writeConfig(
			{
				risk: {
					command: fixtureCommand('append-and-wait.mjs', runs),
					enabled: true,
					critical: true,
					requireVerdict: true,
					retries: 2,
					runOn: 'gpu',
				},
			},
			{dir},
		);
		const first = await startWorker(file, 'gpu');
		// A second live worker with the tag: the queue or a retry could pick it, and must not.
		const second = await startWorker(file, 'gpu');
		const engine = startCli(
			['--headless', '--once', '--json', '--config', file],
			{
				env: redisEnv(),
				timeout: 90_000,
			},
		);
		await waitFor(() => existsSync(runs), 20_000, 'the agent to start');
		const ranOn = [first, second].find(worker =>
			worker.log().includes('risk: cycle 1'),
		)!;
		ranOn.subprocess.kill('SIGKILL');
		const result = await engine;
		const events = parseJsonLines(result.stdout);
		expect(result.exitCode).toBe(3);
		expect(endOf(events, 'risk')).toMatchObject({
			status: 'failed',
			attempts: 1,
			error: 'worker lost',
			worker: ranOn.id,
		});
		expect(readFileSync(runs, 'utf8')).toBe('1\n');
	});

	test('with no live worker for its tag, the attempt fails at once with that reason', async () => {
		const {file} = writeConfig({
			model: {command: fixtureCommand('say.mjs'), enabled: true, runOn: 'tpu'},
		});
		await startWorker(file, 'gpu');
		const {exitCode, events} = await runOnce(file);
		expect(exitCode).toBe(1);
		expect(endOf(events, 'model')).toMatchObject({
			status: 'failed',
			error: 'no live worker carries the tag "tpu"',
		});
		// Said at the start, too.
		expect(events).toContainEqual(
			expect.objectContaining({
				type: 'alert',
				level: 'warning',
				message:
					'no live worker carries the tag "tpu" (model): its attempts fail until one does (moondev-tui worker --tags tpu)',
			}),
		);
	});

	test('a second engine on the same queue is refused (exit 2)', async () => {
		const agents = {
			model: {command: fixtureCommand('say.mjs'), enabled: true, runOn: 'gpu'},
		};
		const first = writeConfig(agents, {
			orchestrator: {sleepBetweenRunsMinutes: 5},
		});
		// Another folder, so the folder lock does not refuse it first: the queue's lock does.
		const second = writeConfig(agents, {queue: first.queue});
		const engine = startCli(['--headless', '--config', first.file], {
			env: redisEnv(),
			timeout: 60_000,
		});
		onTestFinished(async () => {
			engine.kill('SIGKILL');
			await engine;
		});
		let out = '';
		engine.stdout?.on('data', (chunk: Uint8Array) => {
			out += Buffer.from(chunk).toString();
		});
		await waitFor(
			() => out.includes('cycle 1 done'),
			20_000,
			'the first engine',
		);
		const refused = await runOnce(second.file);
		expect(refused.exitCode).toBe(2);
		expect(refused.stderr).toContain(
			`the workers' queue "${first.queue}" is held by another engine (pid ${engine.pid!}`,
		);
		expect(refused.stderr).not.toContain(redis.url);
		engine.kill('SIGTERM');
		const stopped = await engine;
		expect(stopped.exitCode).toBe(143);
	});
});
