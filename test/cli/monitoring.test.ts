import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {execa} from 'execa';
import parsePrometheus from 'parse-prometheus-text-format';
import {describe, expect, onTestFinished, test} from 'vitest';
import * as z from 'zod/mini';
import {
	cliPath,
	fixtureCommand,
	parseJsonLines,
	runCli,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';

const node = fixtureCommand;

/** The metrics file of contract §7, strictly: no key missing, none extra. */
const isoTime = z
	.string()
	.check(
		z.refine(value => !Number.isNaN(Date.parse(value)) && value.endsWith('Z')),
	);
const status = z.enum([
	'success',
	'failed',
	'timeout',
	'cancelled',
	'halted',
	'skipped',
	'disabled',
]);
const metricsSchema = z.strictObject({
	timestamp: isoTime,
	total_cycles: z.int(),
	current_cycle: z.int(),
	cycle_start: isoTime,
	cycle_end: isoTime,
	cycle_duration_seconds: z.number(),
	halted: z.boolean(),
	halt_reason: z.nullable(z.string()),
	cycle: z.record(
		z.string(),
		z.strictObject({
			status,
			phase: z.nullable(z.string()),
			duration_seconds: z.number(),
			attempts: z.int(),
			retries: z.int(),
			error: z.nullable(z.string()),
		}),
	),
	agents: z.record(
		z.string(),
		z.strictObject({
			executions: z.int(),
			successes: z.int(),
			failures: z.int(),
			success_rate: z.number(),
			avg_execution_time: z.number(),
			total_retries: z.int(),
			consecutive_failures: z.int(),
			last_execution: z.nullable(isoTime),
			health_status: z.enum(['healthy', 'degraded', 'unhealthy', 'unknown']),
		}),
	),
	performance: z.strictObject({
		total_executions: z.int(),
		total_successes: z.int(),
		total_failures: z.int(),
		overall_success_rate: z.number(),
		avg_cycle_time_minutes: z.number(),
	}),
	custom_metrics: z.record(z.string(), z.number()),
});

function writeConfig(
	dir: string,
	agents: Record<string, unknown>,
	orchestrator: Record<string, unknown> = {},
) {
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				killGraceSeconds: 1,
				backoffBaseSeconds: 0.01,
				metricsExportDir: 'metrics',
				...orchestrator,
			},
			agents,
		}),
	);
	return file;
}

function metricsFiles(folder: string): string[] {
	return readdirSync(folder)
		.filter(name => /^metrics_\d{8}_\d{6}(_\d+)?\.json$/.test(name))
		.toSorted();
}

describe('what a --once run leaves in the metrics folder', () => {
	test('a metrics file of the contract schema, moondev.prom, alerts, logs, state', async () => {
		const dir = temporaryDirectory();
		const file = writeConfig(dir, {
			risk: {
				// Exact protocol lines only: a critical agent's malformed line halts the cycle.
				command: node(
					'say.mjs',
					'::moondev::{"type":"progress","percent":40,"message":"fetching prices"}',
					'::moondev::{"type":"metric","name":"var_95","value":0.031}',
					'::moondev::{"type":"alert","level":"warning","message":"spread unusually wide"}',
				),
				enabled: true,
				critical: true,
			},
			bad: {command: node('exit.mjs', '1', 'boom'), enabled: true, retries: 1},
			off: {command: node('sleep.mjs', '10')},
		});
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.exitCode).toBe(1);
		const folder = path.join(dir, 'metrics');
		const [name] = metricsFiles(folder);
		const exported = parseJsonLines(result.stdout).find(
			event => event.type === 'metrics_exported',
		);
		expect(exported).toMatchObject({
			cycle: 1,
			path: path.join(folder, name ?? ''),
		});

		const metrics = metricsSchema.parse(
			JSON.parse(readFileSync(path.join(folder, name ?? ''), 'utf8')),
		);
		expect(metrics).toMatchObject({
			total_cycles: 1,
			current_cycle: 1,
			halted: false,
			halt_reason: null,
			cycle: {
				risk: {
					status: 'success',
					phase: 'critical',
					attempts: 1,
					retries: 0,
					error: null,
				},
				bad: {
					status: 'failed',
					phase: 'parallel',
					attempts: 2,
					retries: 1,
					error: 'exit code 1: boom',
				},
				off: {status: 'disabled', attempts: 0},
			},
			agents: {
				risk: {
					executions: 1,
					successes: 1,
					failures: 0,
					success_rate: 100,
					health_status: 'healthy',
				},
				bad: {
					executions: 1,
					successes: 0,
					failures: 1,
					total_retries: 1,
					consecutive_failures: 1,
					health_status: 'unhealthy',
				},
				off: {executions: 0, last_execution: null, health_status: 'unknown'},
			},
			performance: {
				total_executions: 2,
				total_successes: 1,
				total_failures: 1,
				overall_success_rate: 50,
			},
			custom_metrics: {'risk.var_95': 0.031},
		});

		const families = parsePrometheus(
			readFileSync(path.join(folder, 'moondev.prom'), 'utf8'),
		);
		expect(
			families.find(family => family.name === 'moondev_cycles_total')?.metrics,
		).toEqual([{value: '1'}]);

		const alerts = readFileSync(path.join(folder, 'alerts.jsonl'), 'utf8')
			.trim()
			.split('\n')
			.map(line => JSON.parse(line) as {message: string});
		expect(alerts.map(alert => alert.message)).toContain(
			'bad failed after 2 attempts: exit code 1: boom',
		);
		expect(readFileSync(path.join(folder, 'logs', 'bad.log'), 'utf8')).toMatch(
			/^──── cycle 1, attempt 1, .*\n\[stderr] boom\n──── cycle 1, attempt 2, .*\n\[stderr] boom\n$/,
		);
		expect(existsSync(path.join(folder, 'state.json'))).toBe(true);
		expect(existsSync(path.join(folder, 'moondev.lock'))).toBe(false);
	});

	test('three --once runs in a row accumulate', async () => {
		const dir = temporaryDirectory();
		const file = writeConfig(dir, {
			risk: {command: node('sleep.mjs', '10'), enabled: true, critical: true},
		});
		for (let run = 0; run < 3; run++) {
			const result = await runCli([
				'--headless',
				'--once',
				'--json',
				'--config',
				file,
			]);
			expect(result.exitCode).toBe(0);
		}

		const folder = path.join(dir, 'metrics');
		const files = metricsFiles(folder);
		expect(files).toHaveLength(3);
		// Two runs can end within one second (then `_2`): order them by what they say.
		const all = files
			.map(name =>
				metricsSchema.parse(
					JSON.parse(readFileSync(path.join(folder, name), 'utf8')),
				),
			)
			.toSorted((a, b) => a.total_cycles - b.total_cycles);
		expect(all.map(metrics => metrics.total_cycles)).toEqual([1, 2, 3]);
		expect(all[2]).toMatchObject({
			total_cycles: 3,
			current_cycle: 3,
			agents: {risk: {executions: 3, successes: 3}},
		});
	});

	test('a corrupt state file is set aside with a warning, and the run goes on', async () => {
		const dir = temporaryDirectory();
		const file = writeConfig(dir, {
			risk: {command: node('sleep.mjs', '10'), enabled: true},
		});
		await runCli(['--headless', '--once', '--config', file]);
		writeFileSync(
			path.join(dir, 'metrics', 'state.json'),
			'{"version": 1, "totalCy',
		);
		const result = await runCli(['--headless', '--once', '--config', file]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(
			/\[WARNING] state file .* could not be read .*starting from scratch/,
		);
		expect(result.stdout).toMatch(/── cycle 1 started/);
		expect(
			readdirSync(path.join(dir, 'metrics')).some(name =>
				name.startsWith('state.json.corrupt-'),
			),
		).toBe(true);
	});

	test('a metrics folder that cannot be created: exit 2 naming the folder, and no agent runs', async () => {
		const dir = temporaryDirectory();
		writeFileSync(path.join(dir, 'not-a-folder'), '');
		const marker = path.join(dir, 'ran');
		const file = writeConfig(
			dir,
			{risk: {command: node('touch.mjs', marker), enabled: true}},
			{metricsExportDir: 'not-a-folder/metrics'},
		);
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.exitCode).toBe(2);
		expect(result.stdout).toBe('');
		expect(result.stderr.trim()).toBe(
			`metrics folder ${path.join(dir, 'not-a-folder', 'metrics')}: a file is in the way where a folder should be; moondev-tui does not trade without its one-engine lock`,
		);
		expect(existsSync(marker)).toBe(false);

		// --metrics-dir naming a file: the same refusal.
		const named = await runCli([
			'--headless',
			'--once',
			'--config',
			file,
			'--metrics-dir',
			path.join(dir, 'not-a-folder'),
		]);
		expect(named.exitCode).toBe(2);
		expect(named.stderr).toMatch(/does not trade without its one-engine lock/);
		expect(existsSync(marker)).toBe(false);
	});
});

describe('one engine per metrics folder', () => {
	test('a second engine is refused while the first runs, and starts once the first is killed', async () => {
		const dir = temporaryDirectory();
		const agentPid = path.join(dir, 'agent.pid');
		const file = writeConfig(dir, {
			slow: {command: node('ignore-term.mjs', agentPid), enabled: true},
		});
		// A SIGKILLed engine cannot kill its agents: this one is ours to clean up.
		onTestFinished(() => {
			try {
				process.kill(Number(readFileSync(agentPid, 'utf8')), 'SIGKILL');
			} catch {
				// Already gone.
			}
		});
		const first = execa(
			process.execPath,
			[cliPath, '--headless', '--json', '--config', file],
			{reject: false, stdin: 'ignore'},
		);
		const owner = path.join(dir, 'metrics', 'moondev.lock.owner.json');
		await waitFor(
			() => existsSync(owner),
			10_000,
			'the first engine to take the lock',
		);

		const second = await runCli(['--headless', '--once', '--config', file]);
		expect(second.exitCode).toBe(2);
		expect(second.stderr.trim()).toBe(
			`${path.join(dir, 'metrics')}: already in use by moondev-tui pid ${first.pid} (since ${(JSON.parse(readFileSync(owner, 'utf8')) as {since: string}).since}); two engines would place every order twice. Stop it first (moondev-tui stop), or attach to it (moondev-tui attach).`,
		);

		// Past the lock's 2 s refresh: it must still be ours, not "compromised".
		await new Promise(resolve => {
			setTimeout(resolve, 2500);
		});
		first.kill('SIGKILL');
		const firstResult = await first;
		expect(firstResult.stdout).not.toMatch(/lost the lock/);
		const quick = writeConfig(dir, {
			quick: {command: node('sleep.mjs', '10'), enabled: true},
		});
		const third = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			quick,
		]);
		expect(third.exitCode).toBe(0);
		expect(third.stdout).toMatch(
			new RegExp(
				`took over the lock of .* from pid ${first.pid}, which is gone`,
			),
		);
	});
});
