import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
	fixture,
	isolatedEnv,
	runCli,
	startCli,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';

function writeConfig(dir: string) {
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {metricsExportDir: path.join(dir, 'metrics')},
			// The service's webhook variable is in its unit, not in this shell: logs must not care.
			notify: [{url: '${SERVICE_ONLY_WEBHOOK}', format: 'json'}],
			agents: {
				news: {
					command: ['node', fixture('steps.mjs'), 'news', '2', '10'],
					enabled: true,
				},
			},
		}),
	);
	return file;
}

describe('logs <agent>', () => {
	test('prints the log an engine wrote; names the agents on a wrong name; says when there is none yet', async () => {
		const dir = temporaryDirectory();
		const env = isolatedEnv();
		const file = writeConfig(dir);

		const none = await runCli(['logs', 'news', '--config', file], {env});
		expect(none.exitCode).toBe(1);
		expect(none.stderr).toContain('news has no log yet');

		// The engine, as the service, has the variable; the shell that runs logs has not.
		const run = await runCli(['--headless', '--once', '--config', file], {
			env: {...env, SERVICE_ONLY_WEBHOOK: 'http://127.0.0.1:9/hook'},
		});
		expect(run.exitCode).toBe(0);
		const logs = await runCli(['logs', 'news', '--config', file], {env});
		expect(logs.exitCode).toBe(0);
		expect(logs.stdout).toContain('news: cycle 1, attempt 1');
		expect(logs.stdout).toContain('news: finished step 2');

		const wrong = await runCli(['logs', 'nosuch', '--config', file], {env});
		expect(wrong.exitCode).toBe(2);
		expect(wrong.stderr).toContain('no agent named "nosuch" (agents: news)');
		const missing = await runCli(['logs', '--config', file], {env});
		expect(missing.exitCode).toBe(2);
		expect(missing.stderr).toContain('which agent?');
	});

	test('-f follows the log as cycles write it, from before it exists', async () => {
		const dir = temporaryDirectory();
		const env = isolatedEnv();
		const file = writeConfig(dir);
		const follower = startCli(['logs', 'news', '-f', '--config', file], {env});
		const received: string[] = [];
		follower.stdout?.on('data', (chunk: Uint8Array) => {
			received.push(new TextDecoder().decode(chunk));
		});
		const output = () => received.join('');
		for (const cycle of [1, 2]) {
			await runCli(['--headless', '--once', '--config', file], {
				env: {...env, SERVICE_ONLY_WEBHOOK: 'http://127.0.0.1:9/hook'},
			});

			await waitFor(
				() => output().includes(`news: cycle ${cycle}, attempt 1`),
				10_000,
				`cycle ${cycle}'s lines`,
			);
		}

		follower.kill('SIGTERM');
		await follower;
		// Each line once: following reads on from where it was.
		expect(output().split('news: cycle 1, attempt 1').length).toBe(2);
	});
});
