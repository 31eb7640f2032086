import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
	isolatedEnv,
	parseJsonLines,
	runCli,
	startCli,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';

describe('resources per agent', () => {
	test('a running agent shows its CPU and memory in status; its cycle entry keeps the peaks', async () => {
		const dir = temporaryDirectory();
		const env = isolatedEnv();
		const spinner = path.join(dir, 'spin.mjs');
		// Busy for a few seconds, holding 40 MB, then done.
		writeFileSync(
			spinner,
			'const hold = Buffer.alloc(40 * 1024 * 1024, 1); const end = Date.now() + 4000; while (Date.now() < end) { hold[0]++; }\n',
		);
		const file = path.join(dir, 'moondev.json');
		writeFileSync(
			file,
			JSON.stringify({
				orchestrator: {metricsExportDir: path.join(dir, 'metrics')},
				agents: {spin: {command: ['node', spinner], enabled: true}},
			}),
		);
		const engine = startCli(
			['--headless', '--once', '--json', '--config', file],
			{
				env,
			},
		);
		let output = '';
		engine.stdout?.on('data', (chunk: Uint8Array) => {
			output += new TextDecoder().decode(chunk);
		});
		await waitFor(() => output.includes('"agent_start"'), 20_000, 'the agent');
		type Line = {cpu_percent: number | null; memory_bytes: number | null};
		let seen: Line | undefined;
		const deadline = Date.now() + 15_000;
		while ((seen?.cpu_percent ?? 0) <= 0) {
			if (Date.now() > deadline) {
				throw new Error(
					`no usage sample; the last status said ${JSON.stringify(seen)}`,
				);
			}

			const status = await runCli(['status', '--json', '--config', file], {
				env,
			});
			seen =
				status.exitCode === 0
					? (JSON.parse(status.stdout) as {agents: Line[]}).agents[0]
					: undefined;
		}

		expect(seen?.memory_bytes).toBeGreaterThan(40 * 1024 * 1024);

		const text = await runCli(['status', '--config', file], {env});
		expect(text.stdout).toMatch(/running · cpu \d+% \d+(?:\.\d)?M/v);

		const ended = await engine;
		expect(ended.exitCode).toBe(0);
		const exported = parseJsonLines(ended.stdout).find(
			event => event.type === 'metrics_exported',
		);
		const metrics = JSON.parse(
			readFileSync(String(exported?.path), 'utf8'),
		) as {
			cycle: Record<
				string,
				{peak_cpu_percent?: number; peak_memory_bytes?: number}
			>;
		};
		expect(metrics.cycle.spin?.peak_cpu_percent).toBeGreaterThan(0);
		expect(metrics.cycle.spin?.peak_memory_bytes).toBeGreaterThan(
			40 * 1024 * 1024,
		);
	});
});
