import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {execa} from 'execa';
import parsePrometheus from 'parse-prometheus-text-format';
import {describe, expect, test} from 'vitest';
import {createAgentLogs} from '../../source/monitor/agent-logs.js';
import {writeFileAtomicSync} from '../../source/monitor/atomic-write.js';
import type {CycleMetrics} from '../../source/monitor/metrics-file.js';
import {formatPrometheus} from '../../source/monitor/prometheus.js';
import {removeInterruptedWrites} from '../../source/monitor/interrupted-writes.js';
import {
	emptyAgentRecord,
	emptyState,
	loadState,
	nextCycleOf,
	saveState,
	withInterruptedCycle,
} from '../../source/monitor/state-file.js';
import {repoRoot, temporaryDirectory} from '../helpers/index.js';

describe('agent logs', () => {
	test('each attempt under a header, stderr marked, colours stripped', async () => {
		const folder = temporaryDirectory();
		const logs = createAgentLogs({folder});
		logs.startAttempt('risk', {
			cycle: 3,
			attempt: 1,
			time: '2026-11-02T10:00:00.000Z',
		});
		logs.write('risk', ['\u001B[32mgreen\u001B[39m', 'plain'], 'stdout');
		logs.write('risk', ['oops'], 'stderr');
		await logs.close();
		expect(readFileSync(path.join(folder, 'risk.log'), 'utf8')).toBe(
			'──── cycle 3, attempt 1, 2026-11-02T10:00:00.000Z ────\ngreen\nplain\n[stderr] oops\n',
		);
	});

	test('a log past its size is rotated to .1, then .2, and no further', async () => {
		const folder = temporaryDirectory();
		const logs = createAgentLogs({folder, maxBytes: 1000});
		const line = 'x'.repeat(99);
		for (let index = 0; index < 45; index++) {
			logs.write('chatty', [`${index} ${line}`], 'stdout');
		}

		await logs.close();
		const files = readdirSync(folder).toSorted();
		expect(files).toEqual(['chatty.log', 'chatty.log.1', 'chatty.log.2']);
		for (const file of files) {
			expect(readFileSync(path.join(folder, file)).length).toBeLessThanOrEqual(
				1100,
			);
		}

		// Nothing lost between the three: the newest file ends with the last line.
		expect(readFileSync(path.join(folder, 'chatty.log'), 'utf8')).toMatch(
			/^44 x+\n$/m,
		);
	});

	test('a log behind its writes asks the reader to wait until it has caught up, and keeps every line', async () => {
		const folder = temporaryDirectory();
		const logs = createAgentLogs({folder, pauseAtBytes: 1000});
		const line = 'y'.repeat(99);
		logs.write('chatty', [line], 'stdout');
		expect(logs.behind('chatty')).toBeUndefined();
		logs.write(
			'chatty',
			Array.from({length: 20}, () => line),
			'stdout',
		);
		const wait = logs.behind('chatty');
		expect(wait).toBeInstanceOf(Promise);
		await wait;
		expect(logs.behind('chatty')).toBeUndefined();
		await logs.close();
		expect(
			readFileSync(path.join(folder, 'chatty.log'), 'utf8').split('\n'),
		).toHaveLength(22);
	});

	test('a log that does not catch up within maxPauseMs is waited on once, then not until it drains', async () => {
		const folder = temporaryDirectory();
		const logs = createAgentLogs({folder, pauseAtBytes: 10, maxPauseMs: 0});
		const lines = Array.from({length: 1000}, () => 'z'.repeat(99));
		logs.write('slow', lines, 'stdout');
		const first = logs.behind('slow');
		expect(first).toBeInstanceOf(Promise);
		await first;
		logs.write('slow', lines, 'stdout');
		// Either it drained (waited on again) or it stalled (not waited on): never a pause without end.
		const second = logs.behind('slow');
		await second;
		await logs.close();
		expect(readFileSync(path.join(folder, 'slow.log'), 'utf8')).toHaveLength(
			200_000,
		);
	});

	test('a log that cannot be written is reported once', async () => {
		const dir = temporaryDirectory();
		writeFileSync(path.join(dir, 'file'), '');
		const errors: string[] = [];
		const logs = createAgentLogs({
			folder: path.join(dir, 'file', 'logs'),
			onError(agent, error) {
				errors.push(`${agent}: ${(error as NodeJS.ErrnoException).code ?? ''}`);
			},
		});
		logs.write('risk', ['a'], 'stdout');
		logs.write('risk', ['b'], 'stdout');
		await logs.close();
		expect(errors).toEqual(['risk: ENOTDIR']);
	});
});

describe('state file', () => {
	test('saved and loaded', () => {
		const folder = temporaryDirectory();
		const state = {
			...emptyState,
			totalCycles: 7,
			halts: 1,
			cycleDurationsS: [1, 2],
		};
		saveState(folder, state);
		expect(loadState(folder)).toEqual({state, warning: undefined});
	});

	test('a corrupt state file is moved aside with a warning, and the run starts afresh', () => {
		const folder = temporaryDirectory();
		writeFileSync(
			path.join(folder, 'state.json'),
			'{"version": 1, "totalCycles": ',
		);
		const {state, warning} = loadState(folder);
		expect(state).toEqual(emptyState);
		expect(warning).toMatch(
			/state file .*state\.json could not be read .*; moved to state\.json\.corrupt-\d+, starting from scratch/,
		);
		const aside = readdirSync(folder).find(name =>
			name.startsWith('state.json.corrupt-'),
		);
		expect(readFileSync(path.join(folder, aside ?? ''), 'utf8')).toBe(
			'{"version": 1, "totalCycles": ',
		);
		expect(existsSync(path.join(folder, 'state.json'))).toBe(false);
	});

	test('format 1 is migrated: the same figures, now format 2 of this config', () => {
		const folder = temporaryDirectory();
		const old = {
			version: 1,
			totalCycles: 12,
			halts: 2,
			cycleDurationsS: [3.5],
			agents: {risk: {...emptyAgentRecord, executions: 12, successes: 12}},
		};
		writeFileSync(path.join(folder, 'state.json'), JSON.stringify(old));
		const {state, warning} = loadState(folder, '/srv/bots/moondev.json');
		expect(warning).toBeUndefined();
		expect(state).toEqual({
			...old,
			version: 2,
			config: '/srv/bots/moondev.json',
		});
		expect(nextCycleOf(state)).toBe(13);
	});

	test('a state written by a newer moondev-tui is set aside with a notice, never misread', () => {
		const folder = temporaryDirectory();
		writeFileSync(
			path.join(folder, 'state.json'),
			'{"version": 3, "cycles": {}}',
		);
		const {state, warning} = loadState(folder);
		expect(state).toEqual(emptyState);
		expect(warning).toMatch(
			/state file .* is not this run's \(it was written by a newer moondev-tui \(format 3; this one reads up to 2\)\); moved to state\.json\.v3-\d+, starting from scratch/,
		);
		expect(
			readdirSync(folder).some(name => name.startsWith('state.json.v3-')),
		).toBe(true);
	});

	test("another config's state is set aside", () => {
		const folder = temporaryDirectory();
		saveState(folder, {
			...emptyState,
			config: '/srv/other/moondev.json',
			totalCycles: 4,
		});
		const {state, warning} = loadState(folder, '/srv/bots/moondev.json');
		expect(state.totalCycles).toBe(0);
		expect(warning).toMatch(
			/is not this run's \(it belongs to \/srv\/other\/moondev\.json\); moved to state\.json\.other-config-\d+/,
		);
	});

	test('an interrupted cycle is noted, and numbering goes on after it', () => {
		const state = withInterruptedCycle(
			{...emptyState, totalCycles: 6, lastCycle: 6},
			{
				cycle: 7,
				foundAt: '2026-11-25T00:00:00Z',
				pid: 42,
				agentsEnded: ['risk'],
			},
		);
		expect(state.interrupted).toEqual([
			{
				cycle: 7,
				foundAt: '2026-11-25T00:00:00Z',
				pid: 42,
				agentsEnded: ['risk'],
			},
		]);
		expect(nextCycleOf(state)).toBe(8);
	});

	test('the last success is kept; a file written before it was kept gets it from the history', () => {
		const folder = temporaryDirectory();
		const history = [
			{time: 1000, ok: true, durationS: 1, retries: 0},
			{time: 2000, ok: true, durationS: 1, retries: 0},
			{time: 3000, ok: false, durationS: 1, retries: 0},
		];
		// As this release writes it: the last success outlives the history it came from.
		const current = {
			...emptyState,
			agents: {
				risk: {...emptyAgentRecord, history: [], lastSuccess: 500},
			},
		};
		saveState(folder, current);
		expect(loadState(folder)).toEqual({state: current, warning: undefined});

		// As the release before wrote it (same format 2): no lastSuccess.
		const {lastSuccess, ...older} = {
			...emptyAgentRecord,
			history,
			executions: 3,
			successes: 2,
			failures: 1,
		};
		expect(lastSuccess).toBeUndefined();
		writeFileSync(
			path.join(folder, 'state.json'),
			JSON.stringify({
				...emptyState,
				agents: {risk: older, never: {...older, history: history.slice(2)}},
			}),
		);
		const loaded = loadState(folder);
		expect(loaded.warning).toBeUndefined();
		expect(loaded.state.agents.risk).toEqual({...older, lastSuccess: 2000});
		expect(loaded.state.agents.never?.lastSuccess).toBeUndefined();

		// Kept by an older moondev-tui that did not update it: the history's is later.
		saveState(folder, {
			...emptyState,
			agents: {risk: {...older, lastSuccess: 1000}},
		});
		expect(loadState(folder).state.agents.risk?.lastSuccess).toBe(2000);
	});

	test('a last success that is not a time is corrupt', () => {
		const folder = temporaryDirectory();
		writeFileSync(
			path.join(folder, 'state.json'),
			JSON.stringify({
				...emptyState,
				agents: {risk: {...emptyAgentRecord, lastSuccess: 'yesterday'}},
			}),
		);
		expect(loadState(folder).warning).toMatch(
			/could not be read \(agents\.risk\.lastSuccess: malformed\)/,
		);
	});

	test('valid JSON of the wrong shape is corrupt too', () => {
		const folder = temporaryDirectory();
		writeFileSync(path.join(folder, 'state.json'), '{"version": 2}');
		expect(loadState(folder).warning).toMatch(/not a moondev-tui state file/);
	});
});

describe('atomic writes', () => {
	test('what interrupted writes left is removed at start, and nothing else', () => {
		const folder = temporaryDirectory();
		const leftovers = [
			'state.json.3735928559',
			'moondev.prom.1',
			'metrics_20261101_100632.json.42',
			'metrics_20261101_100632_2.json.42',
			'moondev.lock.owner.json.1234.tmp',
			'moondev.lock.groups.json.1234.tmp',
		];
		const kept = [
			'state.json',
			'moondev.prom',
			'metrics_20261101_100632.json',
			'metrics_20261101_100632_2.json',
			'alerts.jsonl',
			'state.json.corrupt-1764000000000',
			'notes.json.12',
		];
		for (const name of [...leftovers, ...kept]) {
			writeFileSync(path.join(folder, name), '');
		}

		expect(removeInterruptedWrites(folder).toSorted()).toEqual(
			leftovers.toSorted(),
		);
		expect(readdirSync(folder).toSorted()).toEqual(kept.toSorted());
	});

	test('a crash between writing the temporary file and renaming it leaves the previous file whole', async () => {
		const folder = temporaryDirectory();
		const file = path.join(folder, 'state.json');
		writeFileAtomicSync(
			file,
			JSON.stringify({generation: 0, padding: 'x'.repeat(100_000)}),
		);
		// A writer that is SIGKILLed at a random moment, again and again, mid-write or mid-rename.
		const writer = `
			import {writeFileAtomicSync} from ${JSON.stringify(path.join(repoRoot, 'source/monitor/atomic-write.ts'))};
			for (let generation = 1; ; generation++) {
				writeFileAtomicSync(${JSON.stringify(file)}, JSON.stringify({generation, padding: 'x'.repeat(100_000)}));
			}
		`;
		let lastGeneration = 0;
		for (let round = 0; round < 8; round++) {
			const child = execa(
				process.execPath,
				['--import', 'tsx', '--input-type=module', '-e', writer],
				{reject: false, cwd: repoRoot},
			);

			await new Promise(resolve => {
				setTimeout(resolve, 300 + round * 37);
			});
			child.kill('SIGKILL');

			await child;
			const content = JSON.parse(readFileSync(file, 'utf8')) as {
				generation: number;
			};
			expect(content.generation).toBeGreaterThanOrEqual(0);
			lastGeneration = Math.max(lastGeneration, content.generation);
		}

		// The writer did get through many writes: the test exercised the window it is about.
		expect(lastGeneration).toBeGreaterThan(0);
	});
});

describe('moondev.prom', () => {
	test('parses as the Prometheus text format, labels escaped', () => {
		const metrics: CycleMetrics = {
			timestamp: '2026-11-02T10:06:32.000Z',
			total_cycles: 10,
			current_cycle: 10,
			cycle_start: '2026-11-02T10:00:00.000Z',
			cycle_end: '2026-11-02T10:06:32.000Z',
			cycle_duration_seconds: 391.8,
			halted: false,
			halt_reason: null,
			cycle: {
				risk: {
					status: 'success',
					phase: 'critical',
					duration_seconds: 62.3,
					attempts: 2,
					retries: 1,
					error: null,
				},
			},
			agents: {
				risk: {
					executions: 10,
					successes: 10,
					failures: 0,
					success_rate: 100,
					avg_execution_time: 58.2,
					total_retries: 2,
					consecutive_failures: 0,
					last_execution: '2026-11-02T10:01:02.000Z',
					health_status: 'healthy',
				},
				'odd-"name"': {
					executions: 1,
					successes: 0,
					failures: 1,
					success_rate: 0,
					avg_execution_time: 0,
					total_retries: 0,
					consecutive_failures: 1,
					last_execution: null,
					health_status: 'unhealthy',
				},
			},
			performance: {
				total_executions: 11,
				total_successes: 10,
				total_failures: 1,
				overall_success_rate: 90.91,
				avg_cycle_time_minutes: 6.8,
			},
			custom_metrics: {'risk.var_95': 0.031, 'risk.exposure.gross': 1.5},
		};
		const families = parsePrometheus(formatPrometheus(metrics, {halts: 2}));
		const byName = new Map(families.map(family => [family.name, family]));
		expect(byName.get('moondev_agent_executions_total')?.type).toBe('COUNTER');
		expect(byName.get('moondev_agent_executions_total')?.metrics).toEqual([
			{labels: {agent: 'risk'}, value: '10'},
			{labels: {agent: 'odd-"name"'}, value: '1'},
		]);
		expect(byName.get('moondev_agent_health')?.metrics).toContainEqual({
			labels: {agent: 'risk', status: 'healthy'},
			value: '1',
		});
		expect(byName.get('moondev_halts_total')?.metrics).toEqual([{value: '2'}]);
		expect(byName.get('moondev_last_cycle_duration_seconds')?.metrics).toEqual([
			{value: '391.8'},
		]);
		expect(byName.get('moondev_custom_metric')?.metrics).toEqual([
			{labels: {agent: 'risk', name: 'var_95'}, value: '0.031'},
			{labels: {agent: 'risk', name: 'exposure.gross'}, value: '1.5'},
		]);
	});
});
