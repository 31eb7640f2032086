import {readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {
	cliPath,
	fixture,
	isolatedEnv,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';
import {hasTmux, startTerminal} from '../helpers/tmux.js';

// Skipped only on a developer machine without tmux; CI installs it (and less) and always runs this.
describe.skipIf(!hasTmux() && !process.env.CI)(
	'the log in $PAGER from a real terminal',
	() => {
		test('o opens the log file in less; the engine goes on meanwhile, Ctrl-C there stops nothing; q comes back to the log view', async () => {
			const dir = temporaryDirectory();
			const metrics = path.join(dir, 'metrics');
			const config = path.join(dir, 'moondev.json');
			writeFileSync(
				config,
				JSON.stringify({
					orchestrator: {
						sleepBetweenRunsMinutes: 0.01,
						killGraceSeconds: 1,
						metricsExportDir: metrics,
					},
					agents: {
						risk: {
							command: ['node', fixture('steps.mjs'), 'risk', '2', '50'],
							enabled: true,
							critical: true,
						},
					},
				}),
			);
			const cycles = () =>
				readdirSync(metrics).filter(name => /^metrics_.*\.json$/.test(name))
					.length;
			// An empty PAGER: the default, less from the end.
			const session = startTerminal(
				`${process.execPath} ${cliPath} --config ${config}`,
				{env: {...isolatedEnv(), PAGER: ''}, columns: 100, rows: 30},
			);
			await session.waitFor(/✓ risk/, 30_000);
			session.keys('Enter');
			await session.waitFor(/risk: finished step 2/);
			session.keys('o');
			await session.waitFor(/risk\.log \(END\)/);
			expect(session.screen()).toMatch(/risk: cycle \d+, attempt 1/);
			// Cycles go on while the pager has the terminal.
			const before = cycles();
			await waitFor(() => cycles() >= before + 2, 20_000, 'two more cycles');
			// Ctrl-C is the pager's key: the engine is not stopped by it.
			session.keys('C-c');
			const after = cycles();
			await waitFor(() => cycles() >= after + 2, 20_000, 'cycles after Ctrl-C');
			session.keys('q');
			await session.waitFor(/risk ✓ success — \d+ recent lines/);
			// The keys are the app's again, not left in a buffer: esc goes back to the agents.
			session.keys('Escape');
			await session.waitFor(/AGENT/);
			session.keys('C-c');
			await session.waitFor(/EXIT=0/, 30_000);
		});
	},
);
