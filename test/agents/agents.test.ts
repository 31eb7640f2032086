import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {execa} from 'execa';
import {describe, expect, test} from 'vitest';
import type {ProtocolMessage} from '../../source/runner/parse-protocol-line.js';
import {runAgent} from '../../source/runner/run-agent.js';
import {
	parseJsonLines,
	repoRoot,
	runCli,
	temporaryDirectory,
} from '../helpers/index.js';

/** Runs a bundled agent as moondev-tui would, in cycle 3, and collects what it reported. */
async function runBundled(
	agent: string,
	args: string[] = [],
	home = temporaryDirectory(),
) {
	const messages: ProtocolMessage[] = [];
	const lines: string[] = [];
	const result = await runAgent({
		agent,
		command: [
			process.execPath,
			path.join(repoRoot, 'dist', 'agents', `${agent}.js`),
			'--pace-ms',
			'0',
			...args,
		],
		cwd: repoRoot,
		env: {
			MOONDEV_AGENT: agent,
			MOONDEV_CYCLE: '3',
			MOONDEV_ATTEMPT: '1',
			MOONDEV_PROTOCOL: '1',
			MOONDEV_HOME: home,
		},
		timeoutMs: 20_000,
		killGraceMs: 1000,
		onMessage(message) {
			messages.push(message);
		},
		onLines(batch) {
			lines.push(...batch);
		},
	});
	const metrics = Object.fromEntries(
		messages
			.filter(message => message.type === 'metric')
			.map(message => [message.name, message.value]),
	);
	const percents = messages
		.filter(message => message.type === 'progress')
		.map(message => message.percent);
	return {result, messages, metrics, percents, lines, home};
}

describe('the bundled agents on the sample data, cycle 3', () => {
	test('risk: VaR, CVaR, exposure, drawdown, correlation; reports its steps', async () => {
		const {result, metrics, percents, messages} = await runBundled('risk');
		expect(result.status).toBe('success');
		expect(metrics).toEqual({
			var_95: 0.032_484,
			cvar_95: 0.038_062,
			gross_exposure: 0.7076,
			drawdown: 0.067_896,
			max_correlation: 0.5398,
		});
		expect(percents).toEqual([0, 25, 50, 75, 100]);
		expect(messages.some(message => message.type === 'halt')).toBe(false);
	});

	test('risk halts when its limit is breached, and not otherwise', async () => {
		const breached = await runBundled('risk', ['--max-var', '0.02']);
		expect(breached.result.haltReason).toBe(
			'VaR 95% 3.25% over the 2.00% limit',
		);
		const within = await runBundled('risk', ['--max-var', '0.2']);
		expect(within.result.haltReason).toBeUndefined();
	});

	test('strategy: signals and RSI per symbol', async () => {
		const {metrics} = await runBundled('strategy');
		expect(metrics).toEqual({
			buy_signals: 0,
			sell_signals: 0,
			rsi_btc: 51.98,
			rsi_eth: 54.47,
			rsi_sol: 52.75,
			rsi_aapl: 65.96,
			rsi_spy: 51.95,
		});
	});

	test('sentiment: the lexicon score of 25 headlines', async () => {
		const {metrics, lines} = await runBundled('sentiment');
		expect(metrics).toEqual({score: -0.2, headlines: 25});
		expect(lines).toHaveLength(25);
	});

	test('trading: paper orders appended to the ledger under MOONDEV_HOME', async () => {
		const home = temporaryDirectory();
		const first = await runBundled('trading', [], home);
		expect(first.metrics).toEqual({orders: 5, paper_pnl: 0});
		await runBundled('trading', [], home);
		const ledger = parseJsonLines(
			readFileSync(path.join(home, 'data', 'paper-ledger.jsonl'), 'utf8'),
		);
		expect(ledger).toHaveLength(10);
		expect(ledger[0]).toMatchObject({
			date: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) as unknown,
			quantity: 1,
		});
	});

	test('copybot: rebalancing orders toward the leader', async () => {
		const {metrics, lines} = await runBundled('copybot');
		expect(metrics).toEqual({proposed_orders: 5, tracking_error: 0.3294});
		expect(lines.filter(line => line.startsWith('propose '))).toHaveLength(5);
	});

	test('each agent runs standalone: plain words on stderr, nothing of the protocol on stdout', async () => {
		const result = await execa(
			process.execPath,
			[path.join(repoRoot, 'dist', 'agents', 'sentiment.js'), '--pace-ms', '0'],
			{
				env: {MOONDEV_PROTOCOL: ''},
				reject: false,
			},
		);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).not.toMatch(/::moondev::/);
		expect(result.stderr).toMatch(/^\[100%] done$/m);
		expect(result.stderr).toMatch(/^metric score = /m);
	});
});

describe('the Python helper', () => {
	test('through the real runner: progress, metric, halt', async () => {
		const messages: ProtocolMessage[] = [];
		const result = await runAgent({
			agent: 'example',
			command: [
				'python3',
				path.join(repoRoot, 'agents', 'example_agent.py'),
				'--steps',
				'3',
				'--step-seconds',
				'0',
				'--halt',
				'limits breached',
			],
			cwd: repoRoot,
			env: {MOONDEV_PROTOCOL: '1', PYTHONUNBUFFERED: '1'},
			timeoutMs: 20_000,
			killGraceMs: 1000,
			onMessage(message) {
				messages.push(message);
			},
		});
		expect(result).toMatchObject({
			status: 'success',
			haltReason: 'limits breached',
			malformedLines: 0,
		});
		expect(messages).toEqual([
			{type: 'progress', percent: 100 / 3, message: 'step 1 of 3'},
			{type: 'progress', percent: 200 / 3, message: 'step 2 of 3'},
			{type: 'progress', percent: 100, message: 'step 3 of 3'},
			{type: 'metric', name: 'steps', value: 3},
			{type: 'halt', reason: 'limits breached'},
		]);
	});

	test('harmless outside moondev-tui', async () => {
		const result = await execa(
			'python3',
			[
				path.join(repoRoot, 'agents', 'example_agent.py'),
				'--steps',
				'1',
				'--step-seconds',
				'0',
			],
			{
				env: {MOONDEV_PROTOCOL: ''},
				reject: false,
			},
		);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe('working on step 1');
		expect(result.stderr).toBe('[100%] step 1 of 1\nmetric steps = 1');
	});
});

describe('the demo', () => {
	test('the sample data is what the script makes from its seed', async () => {
		const folder = temporaryDirectory();
		await execa(process.execPath, [
			path.join(repoRoot, 'scripts', 'make-sample-data.mjs'),
			folder,
		]);
		const names = readdirSync(folder).toSorted();
		expect(names).toEqual(
			readdirSync(path.join(repoRoot, 'agents', 'data')).toSorted(),
		);
		for (const name of names) {
			expect(readFileSync(path.join(folder, name), 'utf8')).toBe(
				readFileSync(path.join(repoRoot, 'agents', 'data', name), 'utf8'),
			);
		}

		const bytes = names.reduce(
			(sum, name) => sum + readFileSync(path.join(folder, name)).length,
			0,
		);
		expect(bytes).toBeLessThan(1024 * 1024);
	});

	test("npm start's config validates", async () => {
		const result = await runCli([
			'validate',
			'--config',
			path.join(repoRoot, '.config', 'moondev.json'),
		]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(/risk +enabled +critical/);
	});

	test('one --headless --once cycle of the demo runs every agent', async () => {
		const metrics = temporaryDirectory();
		const result = await runCli(
			[
				'--headless',
				'--once',
				'--json',
				'--config',
				path.join(repoRoot, '.config', 'moondev.json'),
				'--metrics-dir',
				metrics,
			],
			{timeout: 60_000},
		);
		// The demo fails, stalls and halts now and then on purpose: any of 0, 1, 3.
		expect([0, 1, 3]).toContain(result.exitCode);
		const end = parseJsonLines(result.stdout).find(
			event => event.type === 'cycle_end',
		);
		expect(Object.keys(end?.results as object)).toEqual([
			'risk',
			'strategy',
			'sentiment',
			'trading',
			'copybot',
		]);
	}, 60_000);
});
