import type {CycleReport} from '../monitor/create-monitor.js';
import {escapeControls} from '../util/escape-text.js';
import {formatClock, formatDateTime, formatDuration} from '../util/format.js';
import {statusSymbol} from '../util/status-symbols.js';
import {own} from '../util/own.js';

const rule = '='.repeat(80);

const healthLabel = {
	healthy: '● HEALTHY  ',
	degraded: '◐ DEGRADED ',
	unhealthy: '○ UNHEALTHY',
	unknown: '? unknown  ',
} as const;

const levelLabel = {info: 'info', warning: 'WARN', critical: 'CRIT'} as const;

/**
The dashboard the original orchestrator printed after each cycle: cycle metrics, each agent's
time, status and retries, health, the performance summary, recent alerts, and where the metrics
went. Symbols and words carry the status, so it reads the same without colour. Control characters
in what it quotes are escaped.
*/
export function formatDashboard(report: CycleReport): string {
	const {metrics} = report;
	const names = Object.keys(metrics.cycle);
	const width = Math.max(10, ...names.map(name => name.length));
	const lines = [
		rule,
		'ORCHESTRATOR DASHBOARD',
		rule,
		'',
		'CYCLE METRICS',
		`  Total Cycles:   ${metrics.total_cycles}`,
		`  Current Cycle:  ${metrics.current_cycle}`,
		`  Cycle Start:    ${formatDateTime(metrics.cycle_start)}`,
		`  Cycle End:      ${formatDateTime(metrics.cycle_end)}`,
		`  Cycle Duration: ${formatDuration(metrics.cycle_duration_seconds * 1000)}${metrics.halted ? `  HALTED${metrics.halt_reason === null ? '' : `: ${metrics.halt_reason}`}` : ''}`,
		'',
		'AGENT EXECUTION TIMES',
	];
	for (const [name, entry] of Object.entries(metrics.cycle)) {
		const symbol = statusSymbol[entry.status];
		const time =
			entry.status === 'timeout'
				? `TIMEOUT (${entry.duration_seconds.toFixed(1)}s)`
				: entry.attempts > 0
					? `${entry.duration_seconds.toFixed(1)}s`
					: '';
		const retries =
			entry.retries > 0
				? `  (${entry.retries} retr${entry.retries === 1 ? 'y' : 'ies'})`
				: '';
		const malformed = own(report.malformedLines, name) ?? 0;
		const bad =
			malformed > 0
				? `  (${malformed} bad protocol line${malformed === 1 ? '' : 's'} so far)`
				: '';
		lines.push(
			`  ${name.padEnd(width)} ${symbol} ${entry.status.padEnd(9)} ${time}${retries}${bad}`.trimEnd(),
		);
	}

	lines.push('', 'AGENT HEALTH STATUS');
	for (const name of names) {
		const health = own(report.health, name);
		const summary = own(metrics.agents, name);
		if (!health || !summary) {
			continue;
		}

		const rate =
			health.successRate === undefined
				? '   —  '
				: `${health.successRate.toFixed(1).padStart(5)}%`;
		const average =
			health.avgDurationS === undefined
				? '—'
				: `${health.avgDurationS.toFixed(1)}s`;
		lines.push(
			`  ${name.padEnd(width)} ${healthLabel[health.status]}  Success: ${rate}  Avg: ${average}`,
		);
	}

	const {performance} = metrics;
	const failureRate =
		performance.total_executions > 0
			? (performance.total_failures / performance.total_executions) * 100
			: 0;
	lines.push(
		'',
		'PERFORMANCE SUMMARY',
		`  Total Executions:   ${performance.total_executions}`,
		`  Successful:         ${performance.total_successes} (${performance.overall_success_rate.toFixed(1)}%)`,
		`  Failed:             ${performance.total_failures} (${failureRate.toFixed(1)}%)`,
		`  Average Cycle Time: ${formatDuration(performance.avg_cycle_time_minutes * 60_000)}`,
		'',
		'RECENT ALERTS',
	);
	if (report.recentAlerts.length === 0) {
		lines.push('  (none)');
	}

	for (const alert of report.recentAlerts.toReversed()) {
		lines.push(
			`  [${formatClock(alert.time)}] ${levelLabel[alert.level]}  ${alert.message}`,
		);
	}

	lines.push('', 'METRICS EXPORT');
	if ('path' in report.metricsFile) {
		lines.push(
			`  Location: ${report.metricsFile.path}`,
			`  Size: ${(report.metricsFile.bytes / 1024).toFixed(1)} KB`,
		);
	} else {
		lines.push(`  not written: ${report.metricsFile.error}`);
	}

	lines.push('', rule);
	// Each line escaped: an alert, a halt reason or an error can never add a line of its own.
	return lines.map(line => escapeControls(line)).join('\n');
}
