import {describe, expect, test} from 'vitest';
import {fixtureCommand, runCli} from '../helpers/index.js';
import {writeConfig} from './fleet-helpers.js';

/* `moondev-tui worker`'s own mistakes: exit 2, one clear line, never the Redis URL. */

const secretUrl = 'redis://:hunter2-secret@127.0.0.1:1';

function config() {
	return writeConfig({
		model: {command: fixtureCommand('say.mjs'), enabled: true, runOn: 'gpu'},
	}).file;
}

describe('moondev-tui worker', () => {
	test('without a Redis URL it says where to give one', async () => {
		const result = await runCli([
			'worker',
			'--config',
			config(),
			'--tags',
			'gpu',
		]);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toBe(
			'worker: expected --redis <url> or MOONDEV_REDIS_URL (the Redis the engine uses)',
		);
	});

	test('a Redis that cannot be reached is exit 2, the URL never shown', async () => {
		const result = await runCli(
			['worker', '--config', config(), '--tags', 'gpu'],
			{
				env: {MOONDEV_REDIS_URL: secretUrl},
			},
		);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toContain('cannot reach Redis (ECONNREFUSED)');
		expect(result.stderr + result.stdout).not.toContain('hunter2');
	});

	test('bad tags, concurrency or URL are usage errors; the worker flags go with worker only', async () => {
		const file = config();
		const cases: Array<[string[], string]> = [
			[
				['worker', '--config', file, '--tags', 'gpu;x', '--redis', secretUrl],
				'worker: --tags: expected tags of letters, digits, "_" and "-", got "gpu;x"',
			],
			[
				[
					'worker',
					'--config',
					file,
					'--concurrency',
					'0',
					'--redis',
					secretUrl,
				],
				'worker: --concurrency: expected a whole number >= 1, got "0"',
			],
			[
				['worker', '--config', file, '--redis', 'http://user:hunter2-secret@x'],
				'worker: --redis: expected a redis:// or rediss:// URL of a host and a numeric port (the value is not shown: it may hold a password)',
			],
			[
				['validate', '--config', file, '--tags', 'gpu'],
				'--redis, --tags and --concurrency go with `worker` (see --help)',
			],
		];
		for (const [args, message] of cases) {
			const result = await runCli(args, {env: {MOONDEV_REDIS_URL: secretUrl}});
			expect(result.exitCode).toBe(2);
			expect(result.stderr).toBe(message);
		}
	});

	test('a malformed Redis URL is exit 2, its password never shown, for a worker and an engine', async () => {
		const file = config();
		for (const url of [
			'redis://:s3cretPW@host:abc',
			'redis://:s3cret%PW@127.0.0.1:1',
		]) {
			for (const args of [
				['worker', '--config', file, '--tags', 'gpu'],
				['--headless', '--once', '--config', file],
			]) {
				const result = await runCli(args, {env: {MOONDEV_REDIS_URL: url}});
				expect(result.exitCode).toBe(2);
				expect(result.stderr).toContain(
					'expected a redis:// or rediss:// URL of a host and a numeric port',
				);
				expect(result.stderr + result.stdout).not.toContain('s3cret');
			}
		}
	});

	test('validate shows the queue and where each agent runs, never the URL', async () => {
		const file = config();
		for (const json of [false, true]) {
			const result = await runCli(
				['validate', '--config', file, ...(json ? ['--json'] : [])],
				{env: {MOONDEV_REDIS_URL: secretUrl}},
			);
			expect(result.exitCode).toBe(0);
			expect(result.stdout).not.toContain('hunter2');
			expect(result.stdout).toContain(
				json ? '"runOn": "gpu"' : 'runs on a worker tagged gpu',
			);
		}
	});

	test('the engine refuses to start when its Redis cannot be reached (exit 2), the URL never shown', async () => {
		const result = await runCli(
			['--headless', '--once', '--config', config()],
			{
				env: {MOONDEV_REDIS_URL: secretUrl},
			},
		);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toContain('cannot reach Redis (ECONNREFUSED)');
		expect(result.stderr + result.stdout).not.toContain('hunter2');
	});
});
