import {writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {
	cliPath,
	fixture,
	isolatedEnv,
	parseJsonLines,
	runCli,
	startCli,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';
import {isRunning} from '../helpers/processes.js';
import {hasTmux, startTerminal} from '../helpers/tmux.js';

function writeConfig(dir: string) {
	const steps = fixture('steps.mjs');
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				sleepBetweenRunsMinutes: 0.01,
				killGraceSeconds: 1,
				metricsExportDir: path.join(dir, 'metrics'),
			},
			agents: {
				risk: {
					command: ['node', steps, 'risk', '2', '100'],
					enabled: true,
					critical: true,
				},
				trading: {
					command: ['node', steps, 'trading', '10', '300'],
					enabled: true,
				},
			},
		}),
	);
	return file;
}

// Skipped only on a developer machine without tmux; CI installs it and always runs this.
describe.skipIf(!hasTmux() && !process.env.CI)(
	'attach in a real terminal',
	() => {
		test('shows the agents and a running bar, sends keys to the engine, q leaves it running, S stops it (asked first)', async () => {
			const dir = temporaryDirectory();
			const file = writeConfig(dir);
			const env = isolatedEnv();
			const engine = startCli(['--headless', '--json', '--config', file], {
				env,
				timeout: 120_000,
			});
			let output = '';
			engine.stdout?.on('data', (chunk: Uint8Array) => {
				output += new TextDecoder().decode(chunk);
			});
			await waitFor(
				() => output.includes('"cycle_start"'),
				20_000,
				'the engine to start',
			);

			const attach = `${process.execPath} ${cliPath} attach --config ${file}`;
			const first = startTerminal(attach, {env});
			await first.waitFor(/AGENT +TAG/);
			await first.waitFor(/trading .*█.* \d+%/);
			await first.waitFor(/q detach {2}S stop engine/);

			// A key on the attached screen is a control of the engine's, and comes back as its event.
			first.keys('p');
			await first.waitFor(/PAUSED|pausing after this cycle/);
			const status = await runCli(['status', '--json', '--config', file], {
				env,
			});
			expect(
				(JSON.parse(status.stdout) as {cycle: {paused: boolean}}).cycle.paused,
			).toBe(true);

			// Q detaches at once, even mid-cycle; the engine goes on.
			first.keys('q');
			await first.waitFor(/EXIT=0/);
			expect(isRunning(engine.pid!)).toBe(true);

			const second = startTerminal(attach, {env});
			await second.waitFor(/AGENT +TAG/);
			second.keys('S');
			await second.waitFor(/Stop the engine\?/);
			second.keys('y');
			await second.waitFor(/engine pid \d+ stopped/);
			await second.waitFor(/EXIT=0/);
			const ended = await engine;
			expect(ended.exitCode).toBe(0);
			expect(parseJsonLines(ended.stdout).at(-1)).toMatchObject({
				type: 'engine_stop',
				reason: 'stop',
			});
		});
	},
);
