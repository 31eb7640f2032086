import {Buffer} from 'node:buffer';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {afterAll, beforeAll, onTestFinished} from 'vitest';
import {
	type RunningWorker,
	startWorker as startWorkerHere,
	type WorkerOptions,
} from '../../source/fleet/start-worker.js';
import {
	parseJsonLines,
	runCli,
	startCli,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';
import {
	hasRedisServer,
	type RedisServer,
	startRedisServer,
} from './redis-server.js';

/*
What the workers' tests share: a real redis-server per test file, a config on a queue of its
own, workers and engines as the built CLI, each start with a HOME of its own.
*/

/** The file's redis-server, started before its tests (when redis-server is installed). */
export function withRedisServer(): {readonly url: string} {
	let server: RedisServer | undefined;
	beforeAll(async () => {
		if (hasRedisServer) {
			server = await startRedisServer();
		}
	});
	afterAll(async () => {
		await server?.stop();
	});
	return {
		get url() {
			return server?.url ?? '';
		},
	};
}

let queues = 0;

/** A config in a folder of its own, on a queue of its own, with short timings. */
export function writeConfig(
	agents: Record<string, unknown>,
	{
		queue = `q${process.pid}x${++queues}`,
		dir = temporaryDirectory(),
		orchestrator = {},
	}: {
		queue?: string;
		dir?: string;
		orchestrator?: Record<string, unknown>;
	} = {},
): {file: string; dir: string; queue: string} {
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				workers: {redis: '${MOONDEV_REDIS_URL}', queue},
				killGraceSeconds: 0.5,
				sleepBetweenRunsMinutes: 0,
				backoffBaseSeconds: 0,
				...orchestrator,
			},
			agents,
		}),
	);
	return {file, dir, queue};
}

/** Starts `moondev-tui worker` and waits until it takes attempts; killed when the test ends. */
export async function startWorker(
	redis: {readonly url: string},
	file: string,
	tags: string,
) {
	const subprocess = startCli(['worker', '--config', file, '--tags', tags], {
		env: {MOONDEV_REDIS_URL: redis.url},
		timeout: 120_000,
	});
	let log = '';
	subprocess.stderr?.on('data', (chunk: Uint8Array) => {
		log += Buffer.from(chunk).toString();
	});
	onTestFinished(async () => {
		subprocess.kill('SIGKILL');
		await subprocess;
	});
	await waitFor(
		() => /worker \S+ on queue/v.test(log),
		20_000,
		'the worker to start',
	);
	const id = /worker (?<id>\S+) on queue/v.exec(log)!.groups!.id!;
	return {id, subprocess, log: () => log};
}

/** One cycle of an engine (--once --json), its events parsed. */
export async function runOnce(redis: {readonly url: string}, file: string) {
	const result = await runCli(
		['--headless', '--once', '--json', '--config', file],
		{env: {MOONDEV_REDIS_URL: redis.url}, timeout: 90_000},
	);
	return {...result, events: parseJsonLines(result.stdout)};
}

/** An engine that goes on (--headless --json), its events as they come; killed when the test ends. */
export function startEngine(
	redis: {readonly url: string},
	file: string,
	env: Record<string, string>,
) {
	const engine = startCli(['--headless', '--json', '--config', file], {
		env: {...env, MOONDEV_REDIS_URL: redis.url},
		timeout: 120_000,
	});
	let out = '';
	engine.stdout?.on('data', (chunk: Uint8Array) => {
		out += Buffer.from(chunk).toString();
	});
	onTestFinished(async () => {
		engine.kill('SIGKILL');
		await engine;
	});
	const events = () => parseJsonLines(out.slice(0, out.lastIndexOf('\n') + 1));
	return {engine, events};
}

export const endOf = (events: Array<Record<string, unknown>>, agent: string) =>
	events.find(event => event.type === 'agent_end' && event.agent === agent);

export {hasRedisServer} from './redis-server.js';

/**
A worker in the test's own process: tagged gpu, one attempt at a time, quiet; the test gives its
config, its link and the runner that stands for the agent.
*/
export async function workerInProcess(
	options: Omit<WorkerOptions, 'tags' | 'concurrency' | 'log'>,
): Promise<RunningWorker> {
	return startWorkerHere({
		tags: ['gpu'],
		concurrency: 1,
		log: () => undefined,
		...options,
	});
}
