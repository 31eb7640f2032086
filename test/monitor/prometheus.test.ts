import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import parsePrometheus from 'parse-prometheus-text-format';
import {describe, expect, test} from 'vitest';
import type {AgentStatus, EngineEvent} from '../../source/contract/events.js';
import {createEventBus} from '../../source/engine/event-bus.js';
import {createMonitor} from '../../source/monitor/create-monitor.js';
import type {
	AgentSummary,
	CycleMetrics,
} from '../../source/monitor/metrics-file.js';
import {formatPrometheus} from '../../source/monitor/prometheus.js';
import {
	emptyState,
	loadState,
	type MonitorState,
} from '../../source/monitor/state-file.js';
import {buildConfig, temporaryDirectory} from '../helpers/index.js';

/* The series of moondev.prom and GET /metrics: what each says, and when it has no sample. */

/** Every series name, as docs/monitoring.md lists them: a name once published never changes. */
const seriesNames = [
	'moondev_agent_executions_total',
	'moondev_agent_successes_total',
	'moondev_agent_failures_total',
	'moondev_agent_retries_total',
	'moondev_agent_consecutive_failures',
	'moondev_agent_last_duration_seconds',
	'moondev_agent_last_success_timestamp_seconds',
	'moondev_agent_health',
	'moondev_cycles_total',
	'moondev_agent_malformed_lines_total',
	'moondev_halts_total',
	'moondev_last_cycle_duration_seconds',
	'moondev_last_cycle_halted',
	'moondev_last_cycle_timestamp_seconds',
	'moondev_custom_metric',
];

const summary = (extra: Partial<AgentSummary>): AgentSummary => ({
	executions: 0,
	successes: 0,
	failures: 0,
	success_rate: 0,
	avg_execution_time: 0,
	total_retries: 0,
	consecutive_failures: 0,
	last_execution: null,
	health_status: 'unknown',
	...extra,
});

function byName(text: string) {
	const families = parsePrometheus(text);
	return new Map(families.map(family => [family.name, family]));
}

const samples = (text: string, name: string) => byName(text).get(name)?.metrics;

describe('formatPrometheus', () => {
	const metrics: CycleMetrics = {
		timestamp: '2026-11-25T10:00:06.000Z',
		total_cycles: 4,
		current_cycle: 4,
		cycle_start: '2026-11-25T10:00:00.000Z',
		cycle_end: '2026-11-25T10:00:05.000Z',
		cycle_duration_seconds: 5,
		halted: false,
		halt_reason: null,
		cycle: {
			risk: {
				status: 'success',
				phase: 'critical',
				duration_seconds: 1.25,
				attempts: 1,
				retries: 0,
				error: null,
			},
			news: {
				status: 'skipped',
				phase: 'parallel',
				duration_seconds: 0,
				attempts: 0,
				retries: 0,
				error: 'outside its window',
			},
			slow: {
				status: 'cancelled',
				phase: 'parallel',
				duration_seconds: 3.5,
				attempts: 1,
				retries: 0,
				error: 'cancelled',
			},
		},
		agents: {
			risk: summary({executions: 4, successes: 3, failures: 1}),
			news: summary({executions: 2, successes: 0, failures: 2}),
			slow: summary({}),
		},
		performance: {
			total_executions: 6,
			total_successes: 3,
			total_failures: 3,
			overall_success_rate: 50,
			avg_cycle_time_minutes: 0.083,
		},
		custom_metrics: {},
	};
	const text = formatPrometheus(metrics, {
		halts: 0,
		lastSuccess: {
			risk: Date.parse('2026-11-25T10:00:01.500Z'),
			news: undefined,
		},
	});

	test('every series, under the names it always had', () => {
		expect([...byName(text).keys()]).toEqual(seriesNames);
	});

	test('successes per agent, a counter', () => {
		expect(byName(text).get('moondev_agent_successes_total')?.type).toBe(
			'COUNTER',
		);
		expect(samples(text, 'moondev_agent_successes_total')).toEqual([
			{labels: {agent: 'risk'}, value: '3'},
			{labels: {agent: 'news'}, value: '0'},
			{labels: {agent: 'slow'}, value: '0'},
		]);
	});

	test('the last success in Unix seconds; no sample for an agent that never succeeded', () => {
		expect(
			byName(text).get('moondev_agent_last_success_timestamp_seconds')?.type,
		).toBe('GAUGE');
		expect(
			samples(text, 'moondev_agent_last_success_timestamp_seconds'),
		).toEqual([{labels: {agent: 'risk'}, value: '1795600801.5'}]);
	});

	test('a last duration only for an agent that ran in the cycle (a skipped one did not)', () => {
		expect(samples(text, 'moondev_agent_last_duration_seconds')).toEqual([
			{labels: {agent: 'risk'}, value: '1.25'},
			// Cancelled while it ran: it did run, for this long.
			{labels: {agent: 'slow'}, value: '3.5'},
		]);
	});

	test("before a cycle: the all-time series, and the last cycle's without samples", () => {
		const standing = formatPrometheus(
			{total_cycles: 4, agents: metrics.agents},
			{halts: 1},
		);
		const families = byName(standing);
		expect([...families.keys()]).toEqual(seriesNames);
		expect(samples(standing, 'moondev_cycles_total')).toEqual([{value: '4'}]);
		expect(samples(standing, 'moondev_halts_total')).toEqual([{value: '1'}]);
		expect(samples(standing, 'moondev_agent_executions_total')).toHaveLength(3);
		for (const name of [
			'moondev_agent_last_duration_seconds',
			'moondev_agent_last_success_timestamp_seconds',
			'moondev_last_cycle_duration_seconds',
			'moondev_last_cycle_halted',
			'moondev_last_cycle_timestamp_seconds',
			'moondev_custom_metric',
		]) {
			expect([name, families.get(name)?.metrics]).toEqual([name, []]);
		}
	});
});

/** A monitor over a fresh folder, fed through a real event bus, one cycle at a time. */
function setup(
	options: {
		orchestrator?: Record<string, unknown>;
		dir?: string;
		initialState?: MonitorState;
	} = {},
) {
	const dir = options.dir ?? temporaryDirectory();
	const config = buildConfig(
		{
			orchestrator: {metricsExportDir: 'metrics', ...options.orchestrator},
			agents: {
				risk: {command: 'x', enabled: true, critical: true},
				news: {command: 'x', enabled: true},
			},
		},
		dir,
	);
	const bus = createEventBus();
	const monitor = createMonitor({
		config,
		emit: bus.emit,
		initialState: options.initialState ?? emptyState,
	});
	const events: EngineEvent[] = [];
	bus.listen(monitor.listen);
	bus.listen(event => {
		events.push(event);
	});
	let cycle = 0;
	const runCycle = (
		time: string,
		statuses: Record<string, Exclude<AgentStatus, 'disabled'>>,
	) => {
		cycle++;
		bus.emit({type: 'cycle_start', time, cycle});
		for (const [agent, status] of Object.entries(statuses)) {
			const ran = status !== 'skipped';
			bus.emit({
				type: 'agent_end',
				time,
				cycle,
				agent,
				status,
				duration_s: ran ? 2 : 0,
				attempts: ran ? 1 : 0,
				error: status === 'success' ? null : status,
			});
		}

		bus.emit({
			type: 'cycle_end',
			time,
			cycle,
			duration_s: 3,
			halted: false,
			results: statuses,
		});
	};

	return {monitor, runCycle, events, dir, config};
}

describe("the monitor's series", () => {
	test('successes, the last success kept through failures, no duration for a skipped agent; moondev.prom is what /metrics serves', () => {
		const {monitor, runCycle, config} = setup();
		runCycle('2026-11-25T10:00:00.000Z', {risk: 'success', news: 'failed'});
		runCycle('2026-11-25T10:15:00.000Z', {risk: 'failed', news: 'skipped'});
		const text = monitor.prometheus();
		expect(readFileSync(config.orchestrator.promFile, 'utf8')).toBe(text);
		expect(config.orchestrator.promFile).toBe(
			path.join(config.orchestrator.metricsExportDir, 'moondev.prom'),
		);
		expect(samples(text, 'moondev_agent_successes_total')).toEqual([
			{labels: {agent: 'risk'}, value: '1'},
			{labels: {agent: 'news'}, value: '0'},
		]);
		expect(
			samples(text, 'moondev_agent_last_success_timestamp_seconds'),
		).toEqual([
			{
				labels: {agent: 'risk'},
				value: String(Date.parse('2026-11-25T10:00:00.000Z') / 1000),
			},
		]);
		expect(samples(text, 'moondev_agent_last_duration_seconds')).toEqual([
			{labels: {agent: 'risk'}, value: '2'},
		]);
	});

	test("before the first cycle of a run: the state file's series; the last success goes on across a restart", () => {
		const first = setup();
		first.runCycle('2026-11-25T10:00:00.000Z', {
			risk: 'success',
			news: 'success',
		});
		first.runCycle('2026-11-25T10:15:00.000Z', {
			risk: 'success',
			news: 'failed',
		});
		const {state, warning} = loadState(
			first.config.orchestrator.metricsExportDir,
		);
		expect(warning).toBeUndefined();

		const second = setup({dir: first.dir, initialState: state});
		const standing = second.monitor.prometheus();
		expect(samples(standing, 'moondev_cycles_total')).toEqual([{value: '2'}]);
		expect(samples(standing, 'moondev_agent_successes_total')).toEqual([
			{labels: {agent: 'risk'}, value: '2'},
			{labels: {agent: 'news'}, value: '1'},
		]);
		expect(samples(standing, 'moondev_agent_health')).toContainEqual({
			labels: {agent: 'news', status: 'unhealthy'},
			value: '1',
		});
		expect(
			samples(standing, 'moondev_agent_last_success_timestamp_seconds'),
		).toEqual([
			{
				labels: {agent: 'risk'},
				value: String(Date.parse('2026-11-25T10:15:00.000Z') / 1000),
			},
			{
				labels: {agent: 'news'},
				value: String(Date.parse('2026-11-25T10:00:00.000Z') / 1000),
			},
		]);
		expect(samples(standing, 'moondev_last_cycle_timestamp_seconds')).toEqual(
			[],
		);

		second.runCycle('2026-11-25T10:30:00.000Z', {
			risk: 'success',
			news: 'skipped',
		});
		const after = second.monitor.prometheus();
		expect(after).not.toBe(standing);
		expect(samples(after, 'moondev_cycles_total')).toEqual([{value: '3'}]);
		expect(samples(after, 'moondev_last_cycle_timestamp_seconds')).toEqual([
			{value: String(Date.parse('2026-11-25T10:30:00.000Z') / 1000)},
		]);
	});

	test('promFile: written there, not in the metrics folder; a missing folder is said once, not made', () => {
		const dir = temporaryDirectory();
		const {monitor, runCycle, config, events} = setup({
			dir,
			orchestrator: {promFile: 'textfile/moondev.prom'},
		});
		const folder = path.join(dir, 'textfile');
		const promFile = path.join(folder, 'moondev.prom');
		expect(config.orchestrator.promFile).toBe(promFile);
		const alerts = () =>
			events.flatMap(event =>
				event.type === 'alert' && event.message.includes('could not be written')
					? [event.message]
					: [],
			);

		runCycle('2026-11-25T10:00:00.000Z', {risk: 'success', news: 'success'});
		runCycle('2026-11-25T10:15:00.000Z', {risk: 'success', news: 'success'});
		expect(alerts()).toEqual([
			expect.stringMatching(
				new RegExp(
					`^${promFile.replaceAll('.', String.raw`\.`)} could not be written: ENOENT`,
					'v',
				),
			) as unknown,
		]);
		expect(existsSync(folder)).toBe(false);
		// The metrics file is written all the same.
		expect(
			events.filter(event => event.type === 'metrics_exported'),
		).toHaveLength(2);

		mkdirSync(folder);
		runCycle('2026-11-25T10:30:00.000Z', {risk: 'success', news: 'success'});
		expect(readFileSync(promFile, 'utf8')).toBe(monitor.prometheus());
		expect(
			existsSync(
				path.join(config.orchestrator.metricsExportDir, 'moondev.prom'),
			),
		).toBe(false);
		expect(alerts()).toHaveLength(1);
	});
});
