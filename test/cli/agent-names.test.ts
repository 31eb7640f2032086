import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {expect, test} from 'vitest';
import {
	fixtureCommand,
	parseJsonLines,
	runCli,
	temporaryDirectory,
} from '../helpers/index.js';

/* Names every JavaScript object already carries are agent names like any other. */

const names = [
	'constructor',
	'toString',
	'hasOwnProperty',
	'valueOf',
	'isPrototypeOf',
	'__defineGetter__',
];

test('agents named like what objects carry run, depend, and show in the metrics, prom and state', async () => {
	const dir = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	const agents = Object.fromEntries(
		names.map(name => [
			name,
			{
				command: fixtureCommand(
					'say.mjs',
					'::moondev::{"type":"metric","name":"score","value":2}',
					'::moondev::{"type":"pass"}',
				),
				enabled: true,
			},
		]),
	);
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {metricsExportDir: 'metrics'},
			agents: {
				...agents,
				toString: {
					...agents.toString,
					critical: true,
					requireVerdict: true,
				},
				valueOf: {
					...agents.valueOf,
					dependsOn: ['constructor'],
					requireHealthy: ['hasOwnProperty'],
				},
			},
		}),
	);
	// Twice: the second run reads them back from the state file.
	for (const cycle of [1, 2]) {
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.exitCode).toBe(0);
		expect(
			parseJsonLines(result.stdout).find(event => event.type === 'cycle_end'),
		).toMatchObject({
			cycle,
			results: Object.fromEntries(names.map(name => [name, 'success'])),
		});
	}

	const folder = path.join(dir, 'metrics');
	const last = readdirSync(folder)
		.filter(name => name.startsWith('metrics_'))
		.toSorted()
		.at(-1)!;
	const metrics = JSON.parse(readFileSync(path.join(folder, last), 'utf8')) as {
		agents: Record<string, {executions: number}>;
		custom_metrics: Record<string, number>;
	};
	for (const name of names) {
		expect(Object.hasOwn(metrics.agents, name)).toBe(true);
		expect(metrics.agents[name]?.executions).toBe(2);
		expect(metrics.custom_metrics[`${name}.score`]).toBe(2);
	}

	const prom = readFileSync(path.join(folder, 'moondev.prom'), 'utf8');
	expect(prom).toMatch(/moondev_agent_executions_total{agent="constructor"} 2/);
});

test('"__proto__", the one name JavaScript swallows, is a config error, never a vanished agent', async () => {
	const dir = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		'{"agents": {"__proto__": {"command": ["true"], "enabled": true}}}',
	);
	const result = await runCli(['--headless', '--once', '--config', file]);
	expect(result.exitCode).toBe(2);
	expect(result.stderr.trim()).toBe(
		`${file}: agents.__proto__: "__proto__" is reserved by JavaScript: choose another agent name`,
	);
});
