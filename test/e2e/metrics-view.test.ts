import process from 'node:process';
import {describe, test} from 'vitest';
import {cliPath, isolatedEnv, temporaryDirectory} from '../helpers/index.js';
import {hasTmux, startTerminal} from '../helpers/tmux.js';

// Skipped only on a developer machine without tmux; CI installs it and always runs this.
describe.skipIf(!hasTmux() && !process.env.CI)(
	'the metrics view in a real terminal',
	() => {
		test('after a cycle of the bundled demo agents, m shows their own metrics', async () => {
			const dir = temporaryDirectory();
			const terminal = startTerminal(
				// In a folder of its own: the demo writes under ./data/moondev-demo.
				`sh -c 'cd ${dir} && exec ${process.execPath} ${cliPath} --demo'`,
				{env: isolatedEnv(), columns: 120, rows: 40},
			);
			await terminal.waitFor(/AGENT/);
			// The risk agent reports its figures as ::moondev:: metric lines.
			await terminal.waitFor(/✓ risk/, 30_000);
			terminal.keys('m');
			await terminal.waitFor(/│ risk +│ var_95 +│/);
			await terminal.waitFor(/│ risk +│ drawdown +│/);
			terminal.keys('Escape');
			await terminal.waitFor(/AGENT/);
			terminal.keys('C-c');
			await terminal.waitFor(/EXIT=/, 30_000);
		});
	},
);
