import type {HealthStatus} from '../contract/events.js';
import {own} from '../util/own.js';
import type {CycleMetrics, NotificationCounts} from './metrics-file.js';

const healthStatuses: readonly HealthStatus[] = [
	'healthy',
	'degraded',
	'unhealthy',
	'unknown',
];

/** The all-time part of the figures, known before any cycle of this run: from the state file. */
export type StandingMetrics = Pick<CycleMetrics, 'total_cycles' | 'agents'>;

export type PrometheusExtra = {
	readonly halts: number;
	/** Unreadable `::moondev::` lines per agent, over the run. */
	readonly malformedLines?: Readonly<Record<string, number>>;
	/** Epoch ms of each agent's last success; an agent without one gets no sample. */
	readonly lastSuccess?: Readonly<Record<string, number | undefined>>;
	/** Per notify target, by its label. */
	readonly notifications?:
		Readonly<Record<string, NotificationCounts>> | undefined;
};

/**
The same figures as the metrics file in the Prometheus text exposition format (0.0.4), for
node_exporter's textfile collector and `GET /metrics`: counters per agent, the time of each
agent's last success, health as one 0/1 gauge per status, the cycle's figures, and the agents'
custom metrics. Given standing metrics only (no cycle ended yet in this run), the last cycle's
series have no samples.
*/
export function formatPrometheus(
	metrics: CycleMetrics | StandingMetrics,
	extra: PrometheusExtra,
): string {
	const cycle = 'cycle_end' in metrics ? metrics : undefined;
	const lines: string[] = [];
	const family = (
		name: string,
		type: 'counter' | 'gauge',
		help: string,
		samples: Array<[labels: Record<string, string>, value: number]>,
	) => {
		lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
		for (const [labels, value] of samples) {
			lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
		}
	};

	const agents = Object.entries(metrics.agents);
	family(
		'moondev_agent_executions_total',
		'counter',
		'Counted runs of the agent (skipped, disabled and cancelled runs are not counted).',
		agents.map(([agent, summary]) => [{agent}, summary.executions]),
	);
	family(
		'moondev_agent_successes_total',
		'counter',
		'Runs of the agent that succeeded (a halt asked for is a success: the agent did its job).',
		agents.map(([agent, summary]) => [{agent}, summary.successes]),
	);
	family(
		'moondev_agent_failures_total',
		'counter',
		'Runs of the agent that failed or timed out after their retries.',
		agents.map(([agent, summary]) => [{agent}, summary.failures]),
	);
	family(
		'moondev_agent_retries_total',
		'counter',
		'Retries of the agent.',
		agents.map(([agent, summary]) => [{agent}, summary.total_retries]),
	);
	family(
		'moondev_agent_consecutive_failures',
		'gauge',
		'Failed runs of the agent in a row, up to now.',
		agents.map(([agent, summary]) => [{agent}, summary.consecutive_failures]),
	);
	family(
		'moondev_agent_last_duration_seconds',
		'gauge',
		'Duration of the agent in the last cycle, retries included; no sample for an agent that did not run in it.',
		Object.entries(cycle?.cycle ?? {})
			.filter(([, entry]) => entry.attempts > 0)
			.map(([agent, entry]) => [{agent}, entry.duration_seconds]),
	);
	family(
		'moondev_agent_last_success_timestamp_seconds',
		'gauge',
		'When the last successful run of the agent ended (Unix time); no sample for an agent that never succeeded.',
		agents.flatMap(([agent]) => {
			const time = own(extra.lastSuccess ?? {}, agent);
			return time === undefined
				? []
				: [[{agent}, time / 1000] as [Record<string, string>, number]];
		}),
	);
	family(
		'moondev_agent_health',
		'gauge',
		'1 for the agent health status it has, 0 for the others.',
		agents.flatMap(([agent, summary]) =>
			healthStatuses.map(
				status =>
					[{agent, status}, summary.health_status === status ? 1 : 0] as [
						Record<string, string>,
						number,
					],
			),
		),
	);
	family('moondev_cycles_total', 'counter', 'Cycles run.', [
		[{}, metrics.total_cycles],
	]);
	family(
		'moondev_agent_malformed_lines_total',
		'counter',
		'::moondev:: lines of the agent that could not be read, since the engine started.',
		agents.map(([agent]) => [
			{agent},
			own(extra.malformedLines ?? {}, agent) ?? 0,
		]),
	);
	family(
		'moondev_halts_total',
		'counter',
		'Cycles halted by a critical agent.',
		[[{}, extra.halts]],
	);
	family(
		'moondev_last_cycle_duration_seconds',
		'gauge',
		'Duration of the last cycle.',
		cycle ? [[{}, cycle.cycle_duration_seconds]] : [],
	);
	family(
		'moondev_last_cycle_halted',
		'gauge',
		'1 if the last cycle was halted.',
		cycle ? [[{}, cycle.halted ? 1 : 0]] : [],
	);
	family(
		'moondev_last_cycle_timestamp_seconds',
		'gauge',
		'When the last cycle ended (Unix time).',
		cycle ? [[{}, Date.parse(cycle.cycle_end) / 1000]] : [],
	);
	family(
		'moondev_custom_metric',
		'gauge',
		'Metrics the agents reported in the last cycle (::moondev:: metric lines).',
		Object.entries(cycle?.custom_metrics ?? {}).map(([key, value]) => {
			const dot = key.indexOf('.');
			return [{agent: key.slice(0, dot), name: key.slice(dot + 1)}, value];
		}),
	);
	if (extra.notifications) {
		const targets = Object.entries(extra.notifications);
		family(
			'moondev_notify_sent_total',
			'counter',
			'Notifications a target accepted (2xx), by its label "#n format host".',
			targets.map(([target, counts]) => [{target}, counts.sent]),
		);
		family(
			'moondev_notify_undelivered_total',
			'counter',
			'Notifications that never reached the target: failed after their retries, refused, or queued at the stop.',
			targets.map(([target, counts]) => [{target}, counts.undelivered]),
		);
	}

	return `${lines.join('\n')}\n`;
}

function formatLabels(labels: Record<string, string>): string {
	const entries = Object.entries(labels);
	if (entries.length === 0) {
		return '';
	}

	return `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`;
}

/** Backslash, double quote and newline are the three characters a label value must escape. */
function escapeLabel(value: string): string {
	return value
		.replaceAll('\\', '\\\\')
		.replaceAll('"', String.raw`\"`)
		.replaceAll('\n', String.raw`\n`);
}

function formatValue(value: number): string {
	if (Number.isNaN(value)) {
		return 'NaN';
	}

	if (!Number.isFinite(value)) {
		return value > 0 ? '+Inf' : '-Inf';
	}

	return String(value);
}
