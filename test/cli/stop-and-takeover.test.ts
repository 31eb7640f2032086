import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	utimesSync,
	writeFileSync,
} from 'node:fs';
import {constants} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {
	fixtureCommand,
	isolatedEnv,
	parseJsonLines,
	runCli,
	startCli,
	temporaryDirectory,
	waitFor,
	withSettingsFile,
} from '../helpers/index.js';
import {isRunning} from '../helpers/processes.js';

/*
Unattended runs: a signal is one request to stop (with a settings file, whose library re-raises
signals, and without), nothing outlives the engine, an engine that takes over from a dead one ends
what it left before starting anything, and the lock fails closed.
*/

const node = fixtureCommand;

type Ledger = {
	readonly starts: Array<{cycle: string; pid: number; overlap: boolean}>;
	readonly has: (what: 'term' | 'cleaned' | 'end', pid: number) => boolean;
};

function readLedger(file: string): Ledger {
	const lines = existsSync(file)
		? readFileSync(file, 'utf8').split('\n').filter(Boolean)
		: [];
	return {
		starts: lines
			.filter(line => line.startsWith('start '))
			.map(line => {
				const [, cycle = '', pid = '', overlap = ''] = line.split(' ');
				return {cycle, pid: Number(pid), overlap: overlap === 'overlap=true'};
			}),
		has: (what, pid) => lines.includes(`${what} ${pid}`),
	};
}

/** A config in a fresh folder: an agent that keeps a ledger, plus any others. */
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
				killGraceSeconds: 5,
				sleepBetweenRunsMinutes: 0.001,
				metricsExportDir: 'metrics',
				...orchestrator,
			},
			agents,
		}),
	);
	return file;
}

const metricsFolder = (dir: string) => path.join(dir, 'metrics');

/**
Starts an engine on a config and waits until its ledger shows `orders` orders started. The
subprocess comes back inside an object: returned bare, an async function would wait for it to end.
*/
async function startTrading(
	file: string,
	ledger: string,
	options: {
		env?: Record<string, string>;
		args?: string[];
		orders?: number;
	} = {},
) {
	const engine = startCli(
		['--headless', '--json', '--config', file, ...(options.args ?? [])],
		options.env ? {env: options.env} : {},
	);
	await waitFor(
		() => readLedger(ledger).starts.length === (options.orders ?? 1),
		10_000,
		'the order to start',
	);
	return {engine};
}

function lockLeftovers(dir: string): string[] {
	return readdirSync(metricsFolder(dir)).filter(name =>
		name.startsWith('moondev.lock'),
	);
}

describe('a signal is one request to stop', () => {
	for (const settings of [false, true]) {
		for (const [signal, code] of [
			['SIGTERM', 143],
			['SIGINT', 130],
			['SIGHUP', 129],
		] as const) {
			test(`${signal} ${settings ? 'with' : 'without'} a settings file: the agent gets its whole cleanup, the cycle is recorded, exit ${code}`, async () => {
				const dir = temporaryDirectory();
				const ledger = path.join(dir, 'ledger.txt');
				const grandchild = path.join(dir, 'grandchild.pid');
				const file = writeConfig(dir, {
					order: {
						command: node('order.mjs', ledger, '60000', '800'),
						enabled: true,
					},
					hang: {
						command: node('hang-with-child.mjs', grandchild),
						enabled: true,
					},
				});
				const env = isolatedEnv();
				if (settings) {
					withSettingsFile(env);
				}

				const engine = startCli(['--headless', '--json', '--config', file], {
					env,
				});
				await waitFor(
					() =>
						readLedger(ledger).starts.length === 1 && existsSync(grandchild),
					10_000,
					'the agents to start',
				);
				const [start] = readLedger(ledger).starts;
				engine.kill(signal);
				const result = await engine;

				expect(result.exitCode).toBe(code);
				// Its SIGTERM, then its 0.8 s of cleanup: no SIGKILL cut it short.
				expect(readLedger(ledger).has('term', start!.pid)).toBe(true);
				expect(readLedger(ledger).has('cleaned', start!.pid)).toBe(true);
				expect(isRunning(start!.pid)).toBe(false);
				await waitFor(
					() => !isRunning(Number(readFileSync(grandchild, 'utf8'))),
					3000,
					'the grandchild to end',
				);

				const events = parseJsonLines(result.stdout);
				expect(events.at(-1)).toMatchObject({
					type: 'engine_stop',
					reason: 'signal',
					signal,
				});
				expect(
					events.findLast(event => event.type === 'cycle_end'),
				).toMatchObject({
					cycle: 1,
					results: {order: 'cancelled', hang: 'cancelled'},
				});
				expect(events.some(event => event.type === 'metrics_exported')).toBe(
					true,
				);
				const state = JSON.parse(
					readFileSync(path.join(metricsFolder(dir), 'state.json'), 'utf8'),
				) as {totalCycles: number};
				expect(state.totalCycles).toBe(1);
				expect(lockLeftovers(dir)).toEqual([]);
			}, 30_000);
		}
	}

	test('the same signal again within a second is an echo; another one after that cuts the grace short', async () => {
		const dir = temporaryDirectory();
		const pidFile = path.join(dir, 'stubborn.pid');
		const file = writeConfig(
			dir,
			{stubborn: {command: node('ignore-term.mjs', pidFile), enabled: true}},
			{killGraceSeconds: 30},
		);
		const env = isolatedEnv();
		withSettingsFile(env);
		const engine = startCli(['--headless', '--json', '--config', file], {env});
		await waitFor(() => existsSync(pidFile), 10_000, 'the agent to start');
		const agent = Number(readFileSync(pidFile, 'utf8'));

		engine.kill('SIGTERM');
		engine.kill('SIGTERM');
		// Still in its 30 s grace: the second SIGTERM was within a second of the first.
		await new Promise(resolve => {
			setTimeout(resolve, 1500);
		});
		expect(engine.exitCode).toBeNull();
		expect(isRunning(agent)).toBe(true);

		engine.kill('SIGTERM');
		const result = await engine;
		expect(result.exitCode).toBe(143);
		await waitFor(() => !isRunning(agent), 3000, 'the agent to be killed');
	}, 30_000);

	for (const signal of ['SIGQUIT', 'SIGUSR2', 'SIGALRM'] as const) {
		test(`${signal} stops the engine the same way: no agent is left`, async () => {
			const dir = temporaryDirectory();
			const ledger = path.join(dir, 'ledger.txt');
			const grandchild = path.join(dir, 'grandchild.pid');
			const file = writeConfig(
				dir,
				{
					order: {
						command: node('order.mjs', ledger, '60000', '100'),
						enabled: true,
					},
					hang: {
						command: node('hang-with-child.mjs', grandchild),
						enabled: true,
					},
				},
				{killGraceSeconds: 1},
			);
			const env = isolatedEnv();
			withSettingsFile(env);
			const engine = startCli(['--headless', '--json', '--config', file], {
				env,
			});
			await waitFor(
				() => readLedger(ledger).starts.length === 1 && existsSync(grandchild),
				10_000,
				'the agents to start',
			);
			engine.kill(signal);
			const result = await engine;

			expect(result.exitCode).toBe(128 + constants.signals[signal]);
			const [start] = readLedger(ledger).starts;
			expect(isRunning(start!.pid)).toBe(false);
			await waitFor(
				() => !isRunning(Number(readFileSync(grandchild, 'utf8'))),
				3000,
				'the grandchild to end',
			);
			expect(parseJsonLines(result.stdout).at(-1)).toMatchObject({
				type: 'engine_stop',
				reason: 'signal',
				signal,
			});
		}, 30_000);
	}

	test('a closed stdout stops the engine as SIGPIPE would, agents and lock included', async () => {
		const dir = temporaryDirectory();
		const ledger = path.join(dir, 'ledger.txt');
		const file = writeConfig(dir, {
			order: {
				command: node('order.mjs', ledger, '60000', '100'),
				enabled: true,
			},
			chatty: {command: node('sleep.mjs', '2000'), enabled: true},
		});
		const {engine} = await startTrading(file, ledger);
		// The reader goes away (as `| head -1` would); the next event finds the pipe closed.
		engine.stdout.destroy();
		const result = await engine;
		expect(result.exitCode).toBe(128 + constants.signals.SIGPIPE);
		expect(isRunning(readLedger(ledger).starts[0]!.pid)).toBe(false);
		expect(lockLeftovers(dir)).toEqual([]);
	}, 30_000);
});

describe('nothing runs twice after a crash', () => {
	test('an engine SIGKILLed mid-cycle: the next one ends its agents before starting any, and records the cycle as interrupted', async () => {
		const dir = temporaryDirectory();
		const ledger = path.join(dir, 'ledger.txt');
		const env = isolatedEnv();
		withSettingsFile(env);
		// The order runs under a wrapper, as under `sh -c` or `npm run`: when the engine dies only
		// the wrapper is told (parent-death signal); the order itself runs on in the group.
		const wrapped = `${process.execPath} ${fixtureCommand('order.mjs')[1]!} ${ledger} 60000 300 & wait`;
		const long = writeConfig(dir, {
			order: {command: ['/bin/sh', '-c', wrapped], enabled: true},
		});
		const {engine: first} = await startTrading(long, ledger, {env});
		const [orphan] = readLedger(ledger).starts;
		const record = JSON.parse(
			readFileSync(
				path.join(metricsFolder(dir), 'moondev.lock.groups.json'),
				'utf8',
			),
		) as {groups: Array<{pgid: number}>};
		const group = record.groups[0]!.pgid;
		first.kill('SIGKILL');
		await first;
		// Killed with SIGKILL, the engine could end nothing: the order runs on in its own group.
		await new Promise(resolve => {
			setTimeout(resolve, 500);
		});
		expect(isRunning(orphan!.pid)).toBe(true);
		expect(readLedger(ledger).has('term', orphan!.pid)).toBe(false);

		writeConfig(dir, {
			order: {command: node('order.mjs', ledger, '100', '300'), enabled: true},
		});
		const second = await runCli(
			['--headless', '--once', '--json', '--config', long],
			{env},
		);
		expect(second.exitCode).toBe(0);
		const after = readLedger(ledger);
		// The orphan got SIGTERM and its cleanup, and was gone before the new order started.
		expect(after.has('term', orphan!.pid)).toBe(true);
		expect(after.has('cleaned', orphan!.pid)).toBe(true);
		expect(isRunning(orphan!.pid)).toBe(false);
		expect(after.starts.map(start => [start.cycle, start.overlap])).toEqual([
			['1', false],
			['2', false],
		]);

		const events = parseJsonLines(second.stdout);
		expect(events).toContainEqual(
			expect.objectContaining({
				type: 'alert',
				level: 'warning',
				message: `took over the lock of ${metricsFolder(dir)} from pid ${first.pid}, which is gone; ended 1 agent it left running: order (group ${group}); its cycle 1 is recorded as interrupted`,
			}),
		);
		expect(events.find(event => event.type === 'cycle_start')).toMatchObject({
			cycle: 2,
		});
		const state = JSON.parse(
			readFileSync(path.join(metricsFolder(dir), 'state.json'), 'utf8'),
		) as {version: number; interrupted: unknown[]; lastCycle: number};
		expect(state.version).toBe(2);
		expect(state.lastCycle).toBe(2);
		expect(state.interrupted).toEqual([
			expect.objectContaining({
				cycle: 1,
				pid: first.pid,
				agentsEnded: ['order'],
			}),
		]);
	}, 40_000);

	test.skipIf(!existsSync('/usr/bin/setpriv') && !process.env.CI)(
		'an agent gets SIGTERM the moment its engine is SIGKILLed (parent-death signal)',
		async () => {
			const dir = temporaryDirectory();
			const ledger = path.join(dir, 'ledger.txt');
			const file = writeConfig(dir, {
				order: {
					command: node('order.mjs', ledger, '60000', '100'),
					enabled: true,
				},
			});
			const {engine} = await startTrading(file, ledger);
			const [agent] = readLedger(ledger).starts;
			engine.kill('SIGKILL');
			await engine;
			await waitFor(
				() => readLedger(ledger).has('cleaned', agent!.pid),
				5000,
				'the agent to clean up',
			);
			await waitFor(() => !isRunning(agent!.pid), 2000, 'the agent to end');
		},
		20_000,
	);

	test('a recorded group whose leader is another process now (the id reused) is left alone', async () => {
		const dir = temporaryDirectory();
		const folder = metricsFolder(dir);
		mkdirSync(path.join(folder, 'moondev.lock'), {recursive: true});
		const old = new Date(Date.now() - 60_000);
		utimesSync(path.join(folder, 'moondev.lock'), old, old);
		// This test's own process stands for a process that took a recorded id over.
		writeFileSync(
			path.join(folder, 'moondev.lock.groups.json'),
			JSON.stringify({
				version: 1,
				pid: 999_999,
				bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
				cycle: 4,
				groups: [{pgid: process.pid, agent: 'order', startTicks: 1}],
			}),
		);
		const file = writeConfig(dir, {
			quick: {command: node('sleep.mjs', '10'), enabled: true},
		});
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(
			/left alone 1 recorded group that cannot be proven its .*: order \(group \d+\)/,
		);
		expect(
			parseJsonLines(result.stdout).find(event => event.type === 'cycle_start'),
		).toMatchObject({
			cycle: 5,
		});
	});
});

describe('the lock fails closed', () => {
	test('a second engine on the same config is refused, whatever metrics folder it is given', async () => {
		const dir = temporaryDirectory();
		const ledger = path.join(dir, 'ledger.txt');
		const file = writeConfig(dir, {
			order: {
				command: node('order.mjs', ledger, '60000', '100'),
				enabled: true,
			},
		});
		const env = isolatedEnv();
		const {engine: first} = await startTrading(file, ledger, {env});

		const second = await runCli(
			[
				'--headless',
				'--once',
				'--config',
				file,
				'--metrics-dir',
				path.join(dir, 'elsewhere'),
			],
			{env},
		);
		expect(second.exitCode).toBe(2);
		expect(second.stderr.trim()).toMatch(
			`${file}: already run by moondev-tui pid ${first.pid} `,
		);
		expect(second.stderr).toMatch(
			/two engines on one config would place every order twice/,
		);
		expect(readLedger(ledger).starts).toHaveLength(1);

		first.kill('SIGTERM');
		const firstResult = await first;
		expect(firstResult.exitCode).toBe(143);
	}, 30_000);

	test('leftovers of a crash: temporary files are removed (never metrics files) and an empty owner file does not block', async () => {
		const dir = temporaryDirectory();
		const folder = metricsFolder(dir);
		mkdirSync(path.join(folder, 'moondev.lock'), {recursive: true});
		writeFileSync(path.join(folder, 'moondev.lock.owner.json'), '');
		const old = new Date(Date.now() - 60_000);
		utimesSync(path.join(folder, 'moondev.lock'), old, old);
		for (const name of [
			'state.json.3735928559',
			'metrics_20261101_100632.json.12345',
			'moondev.prom.777',
		]) {
			writeFileSync(path.join(folder, name), '{"half":');
		}

		const file = writeConfig(dir, {
			quick: {command: node('sleep.mjs', '10'), enabled: true},
		});
		const result = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(result.exitCode).toBe(0);
		const names = readdirSync(folder);
		expect(names.filter(name => /\.\d+$/v.test(name))).toEqual([]);
		expect(names.filter(name => name.startsWith('metrics_'))).toHaveLength(1);
		expect(result.stdout).toMatch(
			/removed 3 temporary files of writes a crash interrupted/,
		);
		expect(result.stdout).toMatch(
			/took over the lock of .* from an engine that is gone/,
		);
	});
});

describe('no silent demo, no order placed twice by hand', () => {
	test('headless with no config found exits 2, says where it looked and how to start, and runs nothing', async () => {
		const cwd = temporaryDirectory();
		const result = await runCli(['--headless', '--once'], {cwd});
		expect(result.exitCode).toBe(2);
		expect(result.stdout).toBe('');
		expect(result.stderr.split('\n')[0]).toBe(
			`no config found: looked for ${path.join(cwd, '.config', 'moondev.json')}`,
		);
		expect(result.stderr).toMatch(/moondev-tui init/);
		expect(result.stderr).toMatch(/--demo/);
		expect(readdirSync(cwd)).toEqual([]);
	});

	test('run <agent> is refused while a running engine holds the metrics folder', async () => {
		const dir = temporaryDirectory();
		const ledger = path.join(dir, 'ledger.txt');
		const file = writeConfig(dir, {
			order: {
				command: node('order.mjs', ledger, '60000', '100'),
				enabled: true,
			},
		});
		const env = isolatedEnv();
		const {engine} = await startTrading(file, ledger, {env});
		const byHand = await runCli(['run', 'order', '--config', file], {env});
		expect(byHand.exitCode).toBe(2);
		expect(byHand.stderr.trim()).toMatch(
			new RegExp(
				`^run: ${metricsFolder(dir)} is held by a running engine, pid ${engine.pid} .*could place an order twice`,
				'v',
			),
		);
		expect(readLedger(ledger).starts).toHaveLength(1);
		engine.kill('SIGTERM');
		await engine;

		// An engine of the same config on another metrics folder is as live.
		const elsewhere = path.join(dir, 'elsewhere');
		const other = startCli(
			['--headless', '--json', '--config', file, '--metrics-dir', elsewhere],
			{env},
		);
		await waitFor(
			() => readLedger(ledger).starts.length === 2,
			10_000,
			'start elsewhere',
		);
		const beside = await runCli(['run', 'order', '--config', file], {env});
		expect(beside.exitCode).toBe(2);
		expect(beside.stderr).toMatch(
			`run: ${elsewhere} is held by a running engine, pid ${other.pid}`,
		);
		expect(readLedger(ledger).starts).toHaveLength(2);
		other.kill('SIGTERM');
		await other;
	}, 40_000);
});
