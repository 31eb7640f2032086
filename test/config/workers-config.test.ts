import process from 'node:process';
import {afterEach, describe, expect, test} from 'vitest';
import {restartNeededFor} from '../../source/config/config-change.js';
import {buildConfig, temporaryDirectory} from '../helpers/index.js';

/* `orchestrator.workers` and `runOn` (contract §10): the Redis URL is a secret like a webhook's. */

const secretUrl = 'redis://:hunter2-secret@10.0.0.5:6379/0';
const model = {command: ['python3', 'model.py'], enabled: true, runOn: 'gpu'};

afterEach(() => {
	delete process.env.MOONDEV_TEST_REDIS_URL;
});

const messageOf = (raw: unknown): string => {
	try {
		buildConfig(raw);
	} catch (error) {
		return (error as Error).message;
	}

	throw new Error('expected a config error');
};

describe('orchestrator.workers', () => {
	test('${NAME} takes the URL from the environment; the queue defaults to "moondev"', () => {
		process.env.MOONDEV_TEST_REDIS_URL = secretUrl;
		const config = buildConfig({
			orchestrator: {workers: {redis: '${MOONDEV_TEST_REDIS_URL}'}},
			agents: {model},
		});
		expect(config.workers).toEqual({redisUrl: secretUrl, queue: 'moondev'});
		expect(config.agents[0]?.runOn).toBe('gpu');
	});

	test('an unset variable is named, with the key', () => {
		expect(
			messageOf({
				orchestrator: {workers: {redis: '${MOONDEV_TEST_REDIS_URL}'}},
				agents: {model},
			}),
		).toContain(
			'orchestrator.workers.redis: ${MOONDEV_TEST_REDIS_URL} is not set',
		);
	});

	test('a URL that is not redis:// is refused without being quoted', () => {
		const message = messageOf({
			orchestrator: {workers: {redis: 'https://user:hunter2-secret@host'}},
			agents: {model},
		});
		expect(message).toContain(
			'orchestrator.workers.redis: expected a redis://',
		);
		expect(message).not.toContain('hunter2');
	});

	test('runOn needs the workers, and a plain tag', () => {
		expect(messageOf({agents: {model}})).toContain(
			'agents.model.runOn: needs orchestrator.workers',
		);
		expect(
			messageOf({
				orchestrator: {workers: {redis: secretUrl}},
				agents: {model: {...model, runOn: 'gpu; rm -rf /'}},
			}),
		).toContain('agents.model.runOn: expected a worker tag');
	});

	test('reload refuses a change of the queue or the Redis URL, without quoting it', () => {
		const dir = temporaryDirectory();
		const running = buildConfig(
			{orchestrator: {workers: {redis: secretUrl}}, agents: {model}},
			dir,
		);
		for (const workers of [
			{redis: secretUrl, queue: 'other'},
			{redis: 'redis://10.0.0.6:6379'},
		]) {
			const reason = restartNeededFor(
				running,
				buildConfig({orchestrator: {workers}, agents: {model}}, dir),
			);
			expect(reason).toBe(
				"it changes the workers' queue or Redis (orchestrator.workers), which needs a restart",
			);
		}

		expect(
			restartNeededFor(
				running,
				buildConfig(
					{
						orchestrator: {workers: {redis: secretUrl}},
						agents: {model: {...model, timeout: 9}},
					},
					dir,
				),
			),
		).toBeUndefined();
	});
});
