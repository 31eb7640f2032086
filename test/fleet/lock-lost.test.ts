import {Redis} from 'ioredis';
import {expect, test} from 'vitest';
import {fixtureCommand, isolatedEnv, waitFor} from '../helpers/index.js';
import {fleetKeys} from '../../source/fleet/fleet-keys.js';
import {
	endOf,
	hasRedisServer,
	startEngine,
	withRedisServer,
	writeConfig,
} from './fleet-helpers.js';

/* An engine that loses the workers' queue to another engine no longer trades: its local agents too. */

const redis = withRedisServer();

test.runIf(hasRedisServer)(
	'an engine that loses its lock cancels its running local agents',
	async () => {
		const {file, queue} = writeConfig(
			{
				slow: {command: fixtureCommand('sleep.mjs', '60000'), enabled: true},
			},
			{orchestrator: {sleepBetweenRunsMinutes: 5}},
		);
		const {events} = startEngine(redis, file, isolatedEnv());
		await waitFor(
			() => events().some(event => event.type === 'agent_start'),
			20_000,
			'slow to start',
		);
		// Another engine took the queue.
		const admin = new Redis(redis.url);
		await admin.set(
			fleetKeys(queue).engine,
			JSON.stringify({id: 'other', host: 'elsewhere', pid: 1}),
		);
		await waitFor(
			() => endOf(events(), 'slow') !== undefined,
			20_000,
			'slow to be cancelled',
		);
		expect(endOf(events(), 'slow')).toMatchObject({status: 'cancelled'});
		expect(
			events().some(
				event =>
					event.type === 'alert' &&
					String(event.message).startsWith("lost the workers' queue"),
			),
		).toBe(true);
		admin.disconnect();
	},
);
