import {describe, expect, test} from 'vitest';
import {formatDashboard} from '../../source/headless/dashboard.js';
import type {
	CycleReport,
	RecordedAlert,
} from '../../source/monitor/create-monitor.js';
import type {Health} from '../../source/monitor/health.js';
import type {
	AgentSummary,
	CycleAgentEntry,
	CycleMetrics,
} from '../../source/monitor/metrics-file.js';

/* The dashboard printed after each cycle, from a cycle report built by hand. */

const rule = '='.repeat(80);

/** A control character a terminal acts on, line feed aside (the dashboard's own lines). */
const rawControl =
	// eslint-disable-next-line no-control-regex -- control characters are what it finds
	/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;

/** A local time on 24 November 2026, as the ISO text the metrics hold. */
const at = (hour: number, minute: number, second: number) =>
	new Date(2026, 10, 24, hour, minute, second).toISOString();

function entry(overrides: Partial<CycleAgentEntry> = {}): CycleAgentEntry {
	return {
		status: 'success',
		phase: 'parallel',
		duration_seconds: 1,
		attempts: 1,
		retries: 0,
		error: null,
		...overrides,
	};
}

function summary(overrides: Partial<AgentSummary> = {}): AgentSummary {
	return {
		executions: 10,
		successes: 10,
		failures: 0,
		success_rate: 100,
		avg_execution_time: 1,
		total_retries: 0,
		consecutive_failures: 0,
		last_execution: at(14, 4, 0),
		health_status: 'healthy',
		...overrides,
	};
}

function health(overrides: Partial<Health> = {}): Health {
	return {
		status: 'healthy',
		successRate: 100,
		avgDurationS: 1,
		consecutiveFailures: 0,
		lastSuccess: undefined,
		lastFailure: undefined,
		...overrides,
	};
}

function metrics(overrides: Partial<CycleMetrics> = {}): CycleMetrics {
	return {
		timestamp: at(14, 4, 12),
		total_cycles: 12,
		current_cycle: 12,
		cycle_start: at(14, 3, 7),
		cycle_end: at(14, 4, 12),
		cycle_duration_seconds: 65,
		halted: false,
		halt_reason: null,
		cycle: {risk: entry({phase: 'critical'})},
		agents: {risk: summary()},
		performance: {
			total_executions: 40,
			total_successes: 36,
			total_failures: 4,
			overall_success_rate: 90,
			avg_cycle_time_minutes: 1.5,
		},
		custom_metrics: {},
		...overrides,
	};
}

function report(
	overrides: Partial<Omit<CycleReport, 'metrics'>> & {
		metrics?: Partial<CycleMetrics>;
	} = {},
): CycleReport {
	return {
		health: {risk: health()},
		recentAlerts: [],
		metricsFile: {
			path: '/var/moondev/metrics_20261124_140412.json',
			bytes: 2048,
		},
		malformedLines: {},
		...overrides,
		metrics: metrics(overrides.metrics),
	};
}

/** The lines of one section: from its title to the blank line after it. */
function section(text: string, title: string): string[] {
	const lines = text.split('\n');
	const start = lines.indexOf(title);
	expect(start, `section ${title}`).toBeGreaterThan(-1);
	const end = lines.indexOf('', start);
	return lines.slice(start + 1, end);
}

const alert = (
	time: string,
	level: RecordedAlert['level'],
	message: string,
): RecordedAlert => ({time, level, message});

describe('formatDashboard', () => {
	test('a whole dashboard, line by line', () => {
		const text = formatDashboard(
			report({
				metrics: {
					cycle: {
						risk: entry({phase: 'critical', duration_seconds: 1.23}),
						trading: entry({
							status: 'failed',
							duration_seconds: 4.56,
							attempts: 3,
							retries: 2,
							error: 'exit code 1',
						}),
						news: entry({status: 'timeout', duration_seconds: 30}),
						whale_watcher: entry({
							duration_seconds: 2,
							attempts: 2,
							retries: 1,
						}),
						sentiment: entry({
							status: 'skipped',
							duration_seconds: 0,
							attempts: 0,
						}),
					},
					agents: {
						risk: summary(),
						trading: summary(),
						news: summary(),
						whale_watcher: summary(),
					},
				},
				health: {
					risk: health({successRate: 100, avgDurationS: 1.23}),
					trading: health({
						status: 'unhealthy',
						successRate: 50,
						avgDurationS: undefined,
					}),
					news: health({
						status: 'degraded',
						successRate: 87.5,
						avgDurationS: 30,
					}),
					whale_watcher: health({
						status: 'unknown',
						successRate: undefined,
						avgDurationS: undefined,
					}),
					// Health but no summary: no line.
					sentiment: health(),
				},
				malformedLines: {trading: 1, news: 3},
				recentAlerts: [
					alert(at(9, 59, 59), 'info', 'metrics folder writable again'),
					alert(at(10, 0, 1), 'warning', 'trading failed after 3 attempts'),
					alert(at(10, 0, 2), 'critical', 'risk became unhealthy'),
				],
			}),
		);
		expect(text.split('\n')).toEqual([
			rule,
			'ORCHESTRATOR DASHBOARD',
			rule,
			'',
			'CYCLE METRICS',
			'  Total Cycles:   12',
			'  Current Cycle:  12',
			'  Cycle Start:    2026-11-24 14:03:07',
			'  Cycle End:      2026-11-24 14:04:12',
			'  Cycle Duration: 1m 05s',
			'',
			'AGENT EXECUTION TIMES',
			'  risk          ✓ success   1.2s',
			'  trading       ✗ failed    4.6s  (2 retries)  (1 bad protocol line so far)',
			'  news          ⏱ timeout   TIMEOUT (30.0s)  (3 bad protocol lines so far)',
			'  whale_watcher ✓ success   2.0s  (1 retry)',
			'  sentiment     ⊘ skipped',
			'',
			'AGENT HEALTH STATUS',
			'  risk          ● HEALTHY    Success: 100.0%  Avg: 1.2s',
			'  trading       ○ UNHEALTHY  Success:  50.0%  Avg: —',
			'  news          ◐ DEGRADED   Success:  87.5%  Avg: 30.0s',
			'  whale_watcher ? unknown    Success:    —    Avg: —',
			'',
			'PERFORMANCE SUMMARY',
			'  Total Executions:   40',
			'  Successful:         36 (90.0%)',
			'  Failed:             4 (10.0%)',
			'  Average Cycle Time: 1m 30s',
			'',
			'RECENT ALERTS',
			'  [10:00:02] CRIT  risk became unhealthy',
			'  [10:00:01] WARN  trading failed after 3 attempts',
			'  [09:59:59] info  metrics folder writable again',
			'',
			'METRICS EXPORT',
			'  Location: /var/moondev/metrics_20261124_140412.json',
			'  Size: 2.0 KB',
			'',
			rule,
		]);
	});

	test('names are padded to at least 10 columns', () => {
		const text = formatDashboard(
			report({
				metrics: {
					cycle: {
						risk: entry({duration_seconds: 0.4}),
						a: entry({status: 'disabled', attempts: 0}),
					},
					agents: {risk: summary(), a: summary()},
				},
				health: {risk: health({avgDurationS: 0.4}), a: health()},
			}),
		);
		expect(section(text, 'AGENT EXECUTION TIMES')).toEqual([
			'  risk       ✓ success   0.4s',
			'  a          ○ disabled',
		]);
		expect(section(text, 'AGENT HEALTH STATUS')).toEqual([
			'  risk       ● HEALTHY    Success: 100.0%  Avg: 0.4s',
			'  a          ● HEALTHY    Success: 100.0%  Avg: 1.0s',
		]);
	});

	test('every status shows its symbol and word', () => {
		const statuses = [
			['success', '✓'],
			['failed', '✗'],
			['timeout', '⏱'],
			['cancelled', '⊖'],
			['halted', '■'],
			['skipped', '⊘'],
			['disabled', '○'],
		] as const;
		const cycle = Object.fromEntries(
			statuses.map(([status]) => [`agent_${status}`, entry({status})]),
		);
		const lines = section(
			formatDashboard(report({metrics: {cycle, agents: {}}, health: {}})),
			'AGENT EXECUTION TIMES',
		);
		expect(lines).toHaveLength(statuses.length);
		for (const [index, [status, symbol]] of statuses.entries()) {
			expect(lines[index]).toMatch(
				new RegExp(String.raw`^  agent_${status}\s+${symbol} ${status}\b`, 'v'),
			);
		}
	});

	test('an agent that made no attempt shows no time, a timeout always does', () => {
		const lines = section(
			formatDashboard(
				report({
					metrics: {
						cycle: {
							risk: entry({status: 'halted', duration_seconds: 0.8}),
							trading: entry({
								status: 'cancelled',
								attempts: 0,
								duration_seconds: 0,
							}),
							news: entry({
								status: 'timeout',
								attempts: 0,
								duration_seconds: 0,
							}),
						},
					},
				}),
			),
			'AGENT EXECUTION TIMES',
		);
		expect(lines).toEqual([
			'  risk       ■ halted    0.8s',
			'  trading    ⊖ cancelled',
			'  news       ⏱ timeout   TIMEOUT (0.0s)',
		]);
	});

	test('a halted cycle says so, with the reason', () => {
		const text = formatDashboard(
			report({
				metrics: {
					cycle_duration_seconds: 4.2,
					halted: true,
					halt_reason: 'drawdown 12% > 10%',
				},
			}),
		);
		expect(text.split('\n')).toContain(
			'  Cycle Duration: 4.2s  HALTED: drawdown 12% > 10%',
		);
	});

	test('a cycle that did not halt says nothing of halting, whatever the reason field holds', () => {
		const text = formatDashboard(
			report({metrics: {halted: false, halt_reason: 'stale'}}),
		);
		expect(text).not.toContain('HALTED');
		expect(text.split('\n')).toContain('  Cycle Duration: 1m 05s');
	});

	test('an agent without health or without a summary has no health line', () => {
		const text = formatDashboard(
			report({
				metrics: {
					cycle: {risk: entry(), trading: entry(), news: entry()},
					agents: {risk: summary(), news: summary()},
				},
				health: {risk: health(), trading: health()},
			}),
		);
		expect(section(text, 'AGENT HEALTH STATUS')).toEqual([
			'  risk       ● HEALTHY    Success: 100.0%  Avg: 1.0s',
		]);
	});

	test('agent names that every object has are read from the report only', () => {
		const text = formatDashboard(
			report({
				metrics: {
					cycle: {toString: entry(), constructor: entry(), valueOf: entry()},
					// A summary but no health of its own: Object.prototype's toString is none.
					agents: {toString: summary(), constructor: summary()},
				},
				health: {valueOf: health()},
				malformedLines: {},
			}),
		);
		expect(section(text, 'AGENT EXECUTION TIMES')).toEqual([
			'  toString    ✓ success   1.0s',
			'  constructor ✓ success   1.0s',
			'  valueOf     ✓ success   1.0s',
		]);
		expect(section(text, 'AGENT HEALTH STATUS')).toEqual([]);
	});

	test('no execution yet: a failure rate of 0, not NaN', () => {
		const text = formatDashboard(
			report({
				metrics: {
					performance: {
						total_executions: 0,
						total_successes: 0,
						total_failures: 0,
						overall_success_rate: 0,
						avg_cycle_time_minutes: 0,
					},
				},
			}),
		);
		expect(section(text, 'PERFORMANCE SUMMARY')).toEqual([
			'  Total Executions:   0',
			'  Successful:         0 (0.0%)',
			'  Failed:             0 (0.0%)',
			'  Average Cycle Time: 0.0s',
		]);
	});

	test('the failure rate is of the executions, to a tenth', () => {
		const text = formatDashboard(
			report({
				metrics: {
					performance: {
						total_executions: 3,
						total_successes: 2,
						total_failures: 1,
						overall_success_rate: 66.666,
						avg_cycle_time_minutes: 75,
					},
				},
			}),
		);
		expect(section(text, 'PERFORMANCE SUMMARY')).toEqual([
			'  Total Executions:   3',
			'  Successful:         2 (66.7%)',
			'  Failed:             1 (33.3%)',
			'  Average Cycle Time: 1h 15m',
		]);
	});

	test('no alert: "(none)"', () => {
		expect(section(formatDashboard(report()), 'RECENT ALERTS')).toEqual([
			'  (none)',
		]);
	});

	test('the alerts newest first, and the report is left as it was', () => {
		const recentAlerts = [
			alert(at(8, 0, 0), 'warning', 'first'),
			alert(at(9, 0, 0), 'warning', 'second'),
		];
		expect(
			section(formatDashboard(report({recentAlerts})), 'RECENT ALERTS'),
		).toEqual(['  [09:00:00] WARN  second', '  [08:00:00] WARN  first']);
		expect(recentAlerts.map(each => each.message)).toEqual(['first', 'second']);
	});

	test('the metrics file: where and how big, in KB to a tenth', () => {
		expect(
			section(
				formatDashboard(
					report({metricsFile: {path: '/tmp/m/metrics.json', bytes: 1536}}),
				),
				'METRICS EXPORT',
			),
		).toEqual(['  Location: /tmp/m/metrics.json', '  Size: 1.5 KB']);
		expect(
			section(
				formatDashboard(
					report({metricsFile: {path: '/tmp/m/x.json', bytes: 0}}),
				),
				'METRICS EXPORT',
			),
		).toEqual(['  Location: /tmp/m/x.json', '  Size: 0.0 KB']);
	});

	test('a metrics file that could not be written: why, and no location', () => {
		const text = formatDashboard(
			report({
				metricsFile: {error: "EACCES: permission denied, open '/var/moondev'"},
			}),
		);
		expect(section(text, 'METRICS EXPORT')).toEqual([
			"  not written: EACCES: permission denied, open '/var/moondev'",
		]);
		expect(text).not.toContain('Location:');
		expect(text).not.toContain('Size:');
	});

	test('what it quotes cannot add a line or reach the terminal', () => {
		const nasty =
			'x\n[10:00:00] info  all clear\u001B]0;pwned\u0007\r\u009B2J\u202E';
		const quoting = (quoted: string) =>
			formatDashboard(
				report({
					metrics: {halted: true, halt_reason: quoted},
					recentAlerts: [alert(at(10, 0, 0), 'critical', quoted)],
					metricsFile: {error: quoted},
				}),
			);
		const text = quoting(nasty);
		const clean = quoting('plain');
		expect(text).not.toMatch(rawControl);
		expect(text.split('\n')).toHaveLength(clean.split('\n').length);
		const escaped = String.raw`x\n[10:00:00] info  all clear\x1b]0;pwned\x07\r\u009b2J\u202e`;
		expect(text).toContain(`HALTED: ${escaped}`);
		expect(text).toContain(`[10:00:00] CRIT  ${escaped}`);
		expect(text).toContain(`  not written: ${escaped}`);
	});

	test('colours in a quoted text are dropped', () => {
		const text = formatDashboard(
			report({
				recentAlerts: [
					alert(at(10, 0, 0), 'warning', '\u001B[31mred\u001B[0m alert'),
				],
			}),
		);
		expect(section(text, 'RECENT ALERTS')).toEqual([
			'  [10:00:00] WARN  red alert',
		]);
	});
});
