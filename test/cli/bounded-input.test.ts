import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
	fixtureCommand,
	parseJsonLines,
	runCli,
	temporaryDirectory,
} from '../helpers/index.js';

/* Bounded under abuse: configs that never end or nest without end, agents that invent metric names. */

describe('configs that are not configs', () => {
	test('a config nested deeply exits 2 with one line', async () => {
		const dir = temporaryDirectory();
		const file = path.join(dir, 'deep.json');
		writeFileSync(
			file,
			`{"agents": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
		);
		const result = await runCli(['--headless', '--once', '--config', file]);
		expect(result.exitCode).toBe(2);
		expect(result.stderr.trim()).toBe(
			`${file}: line 1: nested more than 64 levels deep; a config is not`,
		);
	});

	test('a FIFO or a device as the config fails at once, never waiting for it to end', async () => {
		const dir = temporaryDirectory();
		const fifo = path.join(dir, 'moondev.json');
		execFileSync('mkfifo', [fifo]);
		for (const [file, what] of [
			[fifo, 'a named pipe'],
			['/dev/zero', 'a device'],
		] as const) {
			// The CLI's own timeout (30 s) would fail the test if it waited.
			const result = await runCli(['validate', '--config', file], {
				timeout: 10_000,
			});
			expect(result.exitCode).toBe(2);
			expect(result.stderr.trim()).toMatch(
				`not a regular file (${what}): a config must be one`,
			);
		}
	});
});

test('an agent that invents metric names: 100 kept, the rest counted and said once', async () => {
	const dir = temporaryDirectory();
	const lines = Array.from(
		{length: 300},
		(_, index) =>
			`::moondev::{"type":"metric","name":"m${index}","value":${index}}`,
	);
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {metricsExportDir: 'metrics', sleepBetweenRunsMinutes: 0},
			agents: {
				noisy: {command: fixtureCommand('say.mjs', ...lines), enabled: true},
			},
		}),
	);
	const result = await runCli([
		'--headless',
		'--once',
		'--json',
		'--config',
		file,
	]);
	expect(result.exitCode).toBe(0);
	const alerts = parseJsonLines(result.stdout).filter(
		event => event.type === 'alert' && event.agent === 'noisy',
	);
	expect(alerts).toEqual([
		expect.objectContaining({
			level: 'warning',
			message:
				'noisy reports more than 100 metric names: 200 metric lines with new names ignored (said once)',
		}),
	]);
	const folder = path.join(dir, 'metrics');
	const metricsFile = readdirSync(folder).find(name =>
		name.startsWith('metrics_'),
	)!;
	const metrics = JSON.parse(
		readFileSync(path.join(folder, metricsFile), 'utf8'),
	) as {custom_metrics: Record<string, number>};
	expect(Object.keys(metrics.custom_metrics)).toHaveLength(100);
	expect(metrics.custom_metrics['noisy.m99']).toBe(99);
	expect(metrics.custom_metrics['noisy.m100']).toBeUndefined();
	const prom = readFileSync(path.join(folder, 'moondev.prom'), 'utf8');
	expect(prom.match(/moondev_custom_metric\{/gv)).toHaveLength(100);
});

test('a --once run with no agent enabled says so and exits 2, instead of an empty success', async () => {
	const dir = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {metricsExportDir: 'metrics'},
			agents: {a: {command: ['true']}, b: {command: ['true']}},
		}),
	);
	const result = await runCli(['--headless', '--once', '--config', file]);
	expect(result.exitCode).toBe(2);
	expect(result.stderr.trim()).toBe(
		`${file}: no agent is enabled (by the config, saved toggles or --agents): nothing to run`,
	);
});

test('an env file that is a FIFO fails at once too', async () => {
	const dir = temporaryDirectory();
	execFileSync('mkfifo', [path.join(dir, '.env')]);
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {envFile: '.env'},
			agents: {a: {command: ['true'], enabled: true}},
		}),
	);
	const result = await runCli(['validate', '--config', file], {
		timeout: 10_000,
	});
	expect(result.exitCode).toBe(2);
	expect(result.stderr.trim()).toBe(
		`${file}: orchestrator.envFile: cannot read env file ${path.join(dir, '.env')}: not a regular file (a named pipe): an env file must be one`,
	);
});
