import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'vitest';
import {
	fixtureCommand,
	isAlive,
	isolatedEnv,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';
import {startRedisServer} from './redis-server.js';
import {
	hasRedisServer,
	startEngine,
	startWorker,
	writeConfig,
} from './fleet-helpers.js';

/*
A worker fenced off Redis kills its attempts' groups at once, without the grace: its heartbeat
expires within 4 s, after which a new engine no longer waits for its attempts.
*/

test.runIf(hasRedisServer)(
	'a worker fenced for Redis silence SIGKILLs its attempt at once, whatever the grace',
	async () => {
		const own = await startRedisServer();
		const dir = temporaryDirectory();
		const pidFile = path.join(dir, 'agent.pid');
		const {file} = writeConfig(
			{
				stubborn: {
					command: fixtureCommand('ignore-term.mjs', pidFile),
					enabled: true,
					timeout: 120,
					runOn: 'gpu',
				},
			},
			{dir, orchestrator: {killGraceSeconds: 60, sleepBetweenRunsMinutes: 5}},
		);
		await startWorker(own, file, 'gpu');
		startEngine(own, file, isolatedEnv());
		await waitFor(
			() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '',
			20_000,
			'stubborn to start',
		);
		const pid = Number(readFileSync(pidFile, 'utf8'));
		await own.stop();
		// Fenced after 3 s of silence, then killed at once: long before its 60 s grace is over.
		await waitFor(() => !isAlive(pid), 30_000, 'stubborn to be killed');
	},
	60_000,
);
