import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {
	cliPath,
	fixture,
	isolatedEnv,
	parseJsonLines,
	runCli,
	temporaryDirectory,
	withSettingsFile,
} from '../helpers/index.js';
import {isRunning} from '../helpers/processes.js';
import {hasTmux, startTerminal} from '../helpers/tmux.js';

/** Quick agents: a few progress steps each, a short sleep between cycles. */
function writeConfig(dir: string) {
	const demo = fixture('steps.mjs');
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				sleepBetweenRunsMinutes: 0.02,
				killGraceSeconds: 1,
				metricsExportDir: path.join(dir, 'metrics'),
			},
			agents: {
				risk: {
					command: ['node', demo, 'risk', '3', '150'],
					enabled: true,
					critical: true,
				},
				trading: {
					command: ['node', demo, 'trading', '10', '300'],
					enabled: true,
				},
				news: {command: ['node', demo, 'news', '3', '150'], enabled: true},
				slow: {
					command: [
						'node',
						fixture('ignore-term.mjs'),
						path.join(dir, 'slow.pid'),
					],
					enabled: false,
					timeout: 60,
				},
			},
		}),
	);
	return file;
}

// Skipped only on a developer machine without tmux; CI installs it and always runs this.
describe.skipIf(!hasTmux() && !process.env.CI)(
	'the TUI in a real terminal',
	() => {
		test('agents and bars move; disable, force, pause, log; quit mid-cycle leaves nothing behind', async () => {
			const dir = temporaryDirectory();
			const file = writeConfig(dir);
			const env = isolatedEnv();
			const command = `${process.execPath} ${cliPath} --config ${file}`;
			const terminal = startTerminal(command, {env});

			// The agents show, and trading's bar moves.
			await terminal.waitFor(/AGENT +TAG/);
			const first = await terminal.waitFor(/trading .* (\d+)%/);
			const percentOf = (screen: string) =>
				Number(/trading .*? (\d+)%/.exec(screen)?.[1]);
			const before = percentOf(first);
			await terminal.waitFor(/trading .*? (\d+)%/);
			const moved = await (async () => {
				for (let tries = 0; tries < 50; tries++) {
					const now = percentOf(terminal.screen());
					if (now !== before) {
						return true;
					}

					await new Promise(resolve => {
						setTimeout(resolve, 100);
					});
				}

				return false;
			})();
			expect(moved).toBe(true);

			// Disable news (the third row), then force a cycle: it does not run.
			terminal.keys('j');
			terminal.keys('j');
			terminal.keys('Space');
			await terminal.waitFor(/news +para off/);
			terminal.keys('f');
			await terminal.waitFor(/cycle [2-9]/);
			await terminal.waitFor(/○ news +para off/);

			// Pause: the running cycle finishes and no new one starts.
			terminal.keys('p');
			const paused = await terminal.waitFor(/cycle (\d+) PAUSED/, 20_000);
			const cycle = /cycle (\d+) PAUSED/.exec(paused)?.[1];
			await new Promise(resolve => {
				setTimeout(resolve, 2500);
			});
			expect(terminal.screen()).toMatch(new RegExp(`cycle ${cycle} PAUSED`));

			// Turning the risk check off asks first, and holds for one cycle only: never saved.
			terminal.keys('k');
			terminal.keys('k');
			terminal.keys('Space');
			await terminal.waitFor(/Turn off critical risk for the next cycle\?/);
			terminal.keys('y');
			await terminal.waitFor(/risk +CRIT off/);
			terminal.keys('j');
			terminal.keys('j');

			// The log of the selected agent.
			terminal.keys('Enter');
			await terminal.waitFor(/news .* recent lines/);
			await terminal.waitFor(/news: finished step 3/);
			terminal.keys('Escape');
			await terminal.waitFor(/AGENT +TAG/);

			// Enable the agent that hangs and ignores SIGTERM, run a cycle, quit while it runs.
			terminal.keys('j');
			terminal.keys('Space');
			await terminal.waitFor(/slow +para on/);
			terminal.keys('f');
			await terminal.waitFor(/RUNNING/);
			const slowPid = path.join(dir, 'slow.pid');
			// The file exists, empty, for a moment before the pid is in it.
			const pidOf = () =>
				existsSync(slowPid) ? Number(readFileSync(slowPid, 'utf8')) : 0;
			for (let tries = 0; tries < 100 && !(pidOf() > 0); tries++) {
				await new Promise(resolve => {
					setTimeout(resolve, 100);
				});
			}

			const pid = pidOf();
			expect(isRunning(pid)).toBe(true);
			terminal.keys('q');
			await terminal.waitFor(/quit and kill its agents\? \(y\/n\)/);
			terminal.keys('y');
			const after = await terminal.waitFor(/EXIT=\d+/, 20_000);
			expect(after).toMatch(/EXIT=0/);
			// The alternate screen was left: nothing of the TUI remains on the normal screen.
			expect(after).not.toMatch(/AGENT +TAG/);
			expect(isRunning(pid)).toBe(false);

			// The toggle survived: news is still disabled after a restart; risk is on again.
			const again = startTerminal(command, {env});
			await again.waitFor(/news +para off/);
			expect(again.screen()).toMatch(/risk +CRIT on/);
			again.keys('C-c');
			await again.waitFor(/EXIT=0/, 20_000);
			expect(
				readdirSync(path.join(dir, 'metrics')).some(name =>
					name.startsWith('metrics_'),
				),
			).toBe(true);

			// And a headless run of the same user runs the risk check: nothing of the TUI's turned it off.
			const headless = await runCli(
				['--headless', '--once', '--json', '--config', file],
				{env},
			);
			expect(
				parseJsonLines(headless.stdout).find(
					event => event.type === 'cycle_end',
				),
			).toMatchObject({results: {risk: 'success', news: 'disabled'}});
		}, 120_000);

		test('SIGTERM stops the agents, restores the terminal and exits 143', async () => {
			const dir = temporaryDirectory();
			const file = writeConfig(dir);
			const slowPid = path.join(dir, 'slow.pid');
			const config = JSON.parse(readFileSync(file, 'utf8')) as {
				agents: Record<string, {enabled: boolean}>;
			};
			config.agents.slow!.enabled = true;
			writeFileSync(file, JSON.stringify(config));
			// With a settings file, as after any toggle: conf's signal handling must not cut the grace.
			const env = isolatedEnv();
			withSettingsFile(env);
			const terminal = startTerminal(
				`${process.execPath} ${cliPath} --config ${file}`,
				{env},
			);
			await terminal.waitFor(/slow +para on/);
			for (let tries = 0; tries < 100 && !existsSync(slowPid); tries++) {
				await new Promise(resolve => {
					setTimeout(resolve, 100);
				});
			}

			const agentPid = Number(readFileSync(slowPid, 'utf8'));
			const tuiPid = Number(
				execFileSync(
					'pgrep',
					['-f', '--', `^${process.execPath} ${cliPath} --config ${file}$`],
					{encoding: 'utf8'},
				)
					.trim()
					.split('\n')[0],
			);
			process.kill(tuiPid, 'SIGTERM');
			const after = await terminal.waitFor(/EXIT=\d+/, 20_000);
			expect(after).toMatch(/EXIT=143/);
			expect(after).not.toMatch(/AGENT +TAG/);
			expect(isRunning(agentPid)).toBe(false);
		}, 60_000);
	},
);
