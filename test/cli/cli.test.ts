import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
	fixtureCommand,
	parseJsonLines,
	runCli,
	temporaryDirectory,
} from '../helpers/index.js';

const node = fixtureCommand;

/** Writes a config into a fresh folder and returns the folder and the file. */
function writeConfig(
	raw: Record<string, unknown>,
	files: Record<string, string> = {},
) {
	const dir = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			...raw,
			orchestrator: {
				killGraceSeconds: 1,
				backoffBaseSeconds: 0.01,
				...(raw.orchestrator as Record<string, unknown>),
			},
		}),
	);
	for (const [name, text] of Object.entries(files)) {
		writeFileSync(path.join(dir, name), text);
	}

	return {dir, file};
}

/** The cycle's end: the last event before the monitoring half's metrics_exported. */
function cycleEnd(events: Array<Record<string, unknown>>) {
	return events.findLast(event => event.type === 'cycle_end');
}

const jsonLines = parseJsonLines;

describe('--headless --once --json', () => {
	test('a clean cycle: the contract events, and exit 0', async () => {
		const {file} = writeConfig({
			agents: {
				risk: {
					command: node('say.mjs', '::moondev::{"type":"pass"}'),
					enabled: true,
					critical: true,
					requireVerdict: true,
				},
				trading: {command: node('protocol.mjs'), enabled: true},
				news: {command: node('sleep.mjs', '50'), enabled: true},
				off: {command: node('sleep.mjs', '50')},
			},
		});
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.stderr).toBe('');
		expect(result.exitCode).toBe(0);
		const events = jsonLines(result.stdout);
		for (const event of events) {
			expect(typeof event.type).toBe('string');
			expect(new Date(event.time as string).toISOString()).toBe(event.time);
		}

		expect(events[0]).toMatchObject({type: 'cycle_start', cycle: 1});
		expect(events[1]).toMatchObject({
			type: 'phase_start',
			cycle: 1,
			phase: 'critical',
			mode: 'sequential',
			agents: ['risk'],
		});
		expect(
			events.find(
				event => event.type === 'agent_progress' && event.agent === 'trading',
			),
		).toMatchObject({
			cycle: 1,
			percent: 40,
			message: 'fetching prices',
		});
		expect(events.find(event => event.type === 'alert')).toMatchObject({
			level: 'warning',
			message: 'spread unusually wide',
			agent: 'trading',
		});
		expect(
			events.find(
				event => event.type === 'agent_end' && event.agent === 'risk',
			),
		).toMatchObject({
			status: 'success',
			attempts: 1,
			error: null,
		});
		expect(cycleEnd(events)).toMatchObject({
			type: 'cycle_end',
			cycle: 1,
			halted: false,
			results: {
				risk: 'success',
				trading: 'success',
				news: 'success',
				off: 'disabled',
			},
		});
		const types = new Set(events.map(event => event.type));
		expect(
			[...types].every(type =>
				[
					'cycle_start',
					'phase_start',
					'agent_start',
					'agent_progress',
					'agent_end',
					'alert',
					'cycle_end',
					'metrics_exported',
					'engine_stop',
				].includes(type as string),
			),
		).toBe(true);
		// The stream ends on purpose, and says why.
		expect(events.at(-1)).toMatchObject({type: 'engine_stop', reason: 'once'});
		expect(events.filter(event => event.type === 'engine_stop')).toHaveLength(
			1,
		);
	});

	test('an agent that fails gives exit 1', async () => {
		const {file} = writeConfig({
			agents: {
				a: {command: node('exit.mjs', '2', 'boom'), enabled: true},
				b: {command: node('sleep.mjs', '10'), enabled: true},
			},
		});
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.exitCode).toBe(1);
		expect(
			jsonLines(result.stdout).find(
				event => event.type === 'agent_end' && event.agent === 'a',
			),
		).toMatchObject({
			status: 'failed',
			error: 'exit code 2: boom',
		});
	});

	test('a timeout gives exit 1', async () => {
		const {file} = writeConfig({
			agents: {
				slow: {
					command: node('sleep.mjs', '20000'),
					enabled: true,
					timeout: 0.3,
				},
			},
		});
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.exitCode).toBe(1);
		expect(cycleEnd(jsonLines(result.stdout))).toMatchObject({
			type: 'cycle_end',
			results: {slow: 'timeout'},
		});
	});

	test('a halt gives exit 3, and nothing after it runs', async () => {
		const {file} = writeConfig({
			agents: {
				risk: {
					command: node('halt.mjs', 'VaR over limit'),
					enabled: true,
					critical: true,
				},
				trading: {command: node('sleep.mjs', '10'), enabled: true},
			},
		});
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.exitCode).toBe(3);
		const events = jsonLines(result.stdout);
		expect(events.find(event => event.type === 'halt')).toMatchObject({
			cycle: 1,
			agent: 'risk',
			reason: 'VaR over limit',
		});
		expect(
			events.some(
				event => event.type === 'agent_start' && event.agent === 'trading',
			),
		).toBe(false);
		expect(cycleEnd(events)).toMatchObject({
			type: 'cycle_end',
			halted: true,
			results: {risk: 'halted', trading: 'skipped'},
		});
	});

	test('a critical agent that cannot start halts: exit 3', async () => {
		const {file} = writeConfig({
			orchestrator: {maxRetries: 1},
			agents: {
				risk: {
					command: 'moondev-missing-risk-agent',
					enabled: true,
					critical: true,
				},
				trading: {command: node('sleep.mjs', '10'), enabled: true},
			},
		});
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.exitCode).toBe(3);
		const events = jsonLines(result.stdout);
		expect(events.filter(event => event.type === 'agent_retry')).toHaveLength(
			1,
		);
		expect(cycleEnd(events)).toMatchObject({
			type: 'cycle_end',
			halted: true,
			results: {risk: 'failed', trading: 'skipped'},
		});
		expect(events.find(event => event.type === 'halt')?.reason).toMatch(
			/command not found: moondev-missing-risk-agent/,
		);
	});
});

describe('text mode', () => {
	test('one line per event with the local time', async () => {
		const {file} = writeConfig({
			agents: {
				risk: {command: node('sleep.mjs', '50'), enabled: true, critical: true},
			},
		});
		const result = await runCli(['--headless', '--once', '--config', file]);
		expect(result.exitCode).toBe(0);
		const [events = '', dashboard = ''] = result.stdout.split(
			/^(?==+\nORCHESTRATOR DASHBOARD)/m,
		);
		expect(
			events
				.trimEnd()
				.split('\n')
				.every(line => /^\d\d:\d\d:\d\d /.test(line)),
		).toBe(true);
		expect(events).toMatch(/── cycle 1 started/);
		expect(events).toMatch(/risk: ✓ success in \d+\.\ds/);
		expect(events).toMatch(/── cycle 1 done in .*: 1 success/);
		expect(events).toMatch(/metrics: .*metrics_\d{8}_\d{6}\.json/);
		expect(dashboard).toMatch(/Total Cycles: +1/);
		expect(dashboard).toMatch(/risk +✓ success/);
		expect(dashboard).toMatch(/risk +● HEALTHY +Success: 100\.0%/);
	});

	test('enableMonitoring: false prints no dashboard', async () => {
		const {file} = writeConfig({
			orchestrator: {enableMonitoring: false},
			agents: {risk: {command: node('sleep.mjs', '10'), enabled: true}},
		});
		const result = await runCli(['--headless', '--once', '--config', file]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).not.toMatch(/DASHBOARD/);
	});
});

describe('usage and config errors: exit 2, one clear message, no stack trace', () => {
	test('a config mistake names the file and the key', async () => {
		const {dir} = writeConfig({agents: {}});
		writeFileSync(
			path.join(dir, 'bad.json'),
			JSON.stringify({agents: {trading: {command: 'x', timeout: 'soon'}}}),
		);
		const result = await runCli(
			['--headless', '--once', '--config', 'bad.json'],
			{cwd: dir},
		);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toBe(
			'bad.json: agents.trading.timeout: expected a positive number, got "soon"',
		);
		expect(result.stdout).toBe('');
	});

	for (const [label, args, message] of [
		[
			'an unknown flag',
			['--max-wrkers', '3'],
			/^Unknown option '--max-wrkers' \(see --help\)$/,
		],
		[
			'a bad number',
			['--max-workers', 'many'],
			/^--max-workers: expected a whole number >= 1, got "many"$/,
		],
		['an unknown command', ['start'], /^unknown command "start"/],
		[
			'an unknown agent in --agents',
			['--agents', 'risk,ghost'],
			/^--agents: unknown agent "ghost"$/,
		],
		[
			'a missing --config file',
			['--config', 'nope.json'],
			/^--config: file not found: nope\.json$/,
		],
	] as const) {
		test(label, async () => {
			const {file} = writeConfig({agents: {risk: {command: 'true'}}});
			const result = await runCli([
				'--headless',
				'--once',
				...(args[0] === '--config' ? [] : ['--config', file]),
				...args,
			]);
			expect(result.exitCode).toBe(2);
			expect(result.stderr.trim()).toMatch(message);
			expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
		});
	}
});

describe('validate and init', () => {
	test('validate prints the resolved agents and phases, env names but never values', async () => {
		const {file} = writeConfig(
			{
				orchestrator: {envFile: '.env'},
				agents: {
					risk: {
						command: 'python3 risk.py --fast',
						enabled: true,
						critical: true,
					},
					copybot: {command: ['./copybot.sh'], dependsOn: ['risk']},
				},
			},
			{'.env': 'API_KEY=sk-very-secret-value\n'},
		);
		const result = await runCli(['validate', '--config', file]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(/moondev\.json: valid/);
		expect(result.stdout).toMatch(/1\. critical \(sequential\): risk/);
		expect(result.stdout).toMatch(
			/2\. parallel \(parallel, 4 workers\): copybot/,
		);
		expect(result.stdout).toMatch(/\$ python3 risk\.py --fast/);
		expect(result.stdout).toMatch(/env: API_KEY/);
		expect(result.stdout).not.toMatch(/sk-very-secret-value/);
		const json = await runCli(['validate', '--json', '--config', file]);
		expect(json.stdout).not.toMatch(/sk-very-secret-value/);
		expect(JSON.parse(json.stdout)).toMatchObject({
			agents: [{name: 'risk', env: ['API_KEY']}, {name: 'copybot'}],
		});
	});

	test('init writes a starter config that validates, and never overwrites', async () => {
		const dir = temporaryDirectory();
		const first = await runCli(['init'], {cwd: dir});
		expect(first.exitCode).toBe(0);
		const written = path.join(dir, '.config', 'moondev.json');
		const text = readFileSync(written, 'utf8');
		expect(JSON.parse(text)).toMatchObject({
			$schema: expect.stringMatching(/moondev\.schema\.json$/) as unknown,
		});
		const schemaPath = path.resolve(
			path.dirname(written),
			(JSON.parse(text) as {$schema: string}).$schema,
		);
		expect(existsSync(schemaPath)).toBe(true);
		const validated = await runCli(['validate'], {cwd: dir});
		expect(validated.exitCode).toBe(0);
		const second = await runCli(['init'], {cwd: dir});
		expect(second.exitCode).toBe(2);
		expect(second.stderr).toMatch(/already exists; not overwritten/);
		expect(readFileSync(written, 'utf8')).toBe(text);
		const once = await runCli(['--headless', '--once', '--json'], {cwd: dir});
		expect(once.exitCode).toBe(0);
	});
});

describe('run <agent>', () => {
	test('streams the output, applies retries, exits with the status', async () => {
		const counter = path.join(temporaryDirectory(), 'count');
		const {file} = writeConfig({
			agents: {flaky: {command: node('flaky.mjs', counter, '1'), retries: 1}},
		});
		const result = await runCli(['run', 'flaky', '--config', file]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe('flaky: ok');
		expect(result.stderr).toMatch(
			/flaky: retry 2\/2 in 0\.02s after exit code 1: flaky: failure 1/,
		);
	});

	test('a failing agent exits 1, a halting critical agent exits 3', async () => {
		const {file} = writeConfig({
			agents: {
				bad: {command: node('exit.mjs', '4')},
				risk: {command: node('halt.mjs'), critical: true},
			},
		});
		const failed = await runCli(['run', 'bad', '--config', file]);
		expect(failed.exitCode).toBe(1);
		const halted = await runCli(['run', 'risk', '--config', file, '--json']);
		expect(halted.exitCode).toBe(3);
		expect(jsonLines(halted.stdout).slice(-2)).toMatchObject([
			{type: 'halt', agent: 'risk', reason: 'daily loss limit breached'},
			{type: 'engine_stop', reason: 'once'},
		]);
	});

	test('a critical agent that fails its retries exits 3, as it would halt a cycle', async () => {
		const {file} = writeConfig({
			orchestrator: {maxRetries: 1},
			agents: {risk: {command: 'moondev-missing-agent', critical: true}},
		});
		const result = await runCli(['run', 'risk', '--config', file]);
		expect(result.exitCode).toBe(3);
		expect(result.stderr).toMatch(
			/HALT cycle 0 by risk: risk failed after 2 attempts: cannot start: command not found/,
		);
	});

	test('an unknown agent is a usage error', async () => {
		const {file} = writeConfig({agents: {risk: {command: 'true'}}});
		const result = await runCli(['run', 'rsk', '--config', file]);
		expect(result.exitCode).toBe(2);
		expect(result.stderr.trim()).toBe(
			'run: unknown agent "rsk" (agents: risk)',
		);
	});
});

describe('help and version', () => {
	test('--help prints the usage and exits 0', async () => {
		const result = await runCli(['--help']);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(/moondev-tui run <agent>/);
		expect(result.stdout).toMatch(/--max-workers <n>/);
	});

	test('--version prints the package version', async () => {
		const result = await runCli(['--version']);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(/^\d+\.\d+\.\d+$/);
	});

	test('a flag without its value is a usage error', async () => {
		const result = await runCli(['--config']);
		expect(result.exitCode).toBe(2);
		expect(result.stderr.trim()).toBe(
			"Option '--config <value>' argument missing (see --help)",
		);
	});
});
