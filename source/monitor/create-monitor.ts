import path from 'node:path';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {
	type AlertLevel,
	type Emit,
	type EngineEvent,
	type HealthStatus,
} from '../contract/events.js';
import type {LinesBackpressure, OutputStream} from '../runner/run-agent.js';
import {own} from '../util/own.js';
import {type AgentLogs, createAgentLogs} from './agent-logs.js';
import {
	failedAfterRetriesAlert,
	healthAlerts,
	type RuleAlert,
	slowCycleAlert,
	unhealthyStreakAlert,
} from './alert-rules.js';
import {computeHealth, type Health} from './health.js';
import {buildMetricsDocument, summarizeAgents} from './metrics-document.js';
import type {
	CycleAgentEntry,
	CycleMetrics,
	NotificationCounts,
} from './metrics-file.js';
import {createMonitorFiles} from './monitor-files.js';
import {formatPrometheus} from './prometheus.js';
import {
	recordCycleEnd,
	recordExecution,
	recordOf,
	recordStart,
	recordUnhealthyStreaks,
} from './records.js';
import {
	type AgentRecord,
	type MonitorState,
	nextCycleOf,
} from './state-file.js';

/*
The wiring of the monitoring half; past 300 lines because its one listener routes every event
type to the pure parts (records, alert rules, metrics document) and the one file writer, and
holds this cycle's facts between cycle_start and cycle_end.
*/

/** What the dashboard shows after a cycle. */
export type CycleReport = {
	readonly metrics: CycleMetrics;
	readonly health: Readonly<Record<string, Health>>;
	readonly recentAlerts: readonly RecordedAlert[];
	/** The metrics file written, or why none was. */
	readonly metricsFile:
		{readonly path: string; readonly bytes: number} | {readonly error: string};
	/** `::moondev::` lines each agent printed that could not be read, over this run. */
	readonly malformedLines: Readonly<Record<string, number>>;
};

export type RecordedAlert = {
	readonly time: string;
	readonly level: AlertLevel;
	readonly message: string;
	readonly agent?: string;
};

export type Monitor = {
	/** The event listener: health, alerts, metrics, state, logs. */
	readonly listen: (event: EngineEvent) => void;
	/** For `requireHealthy`: `unknown` when health checks are off. */
	readonly healthOf: (agent: string) => HealthStatus;
	/** Every log line, for the agents' log files. */
	readonly onLines: (
		agent: string,
		lines: readonly string[],
		stream: OutputStream,
	) => LinesBackpressure;
	/**
	When an agent last started in a cycle (the state file's, then this run's), for the engine's
	`every` and `cron`; undefined: never.
	*/
	readonly lastStartOf: (agent: string) => number | undefined;
	/** The number the next cycle gets, so numbering goes on after a restart. */
	readonly nextCycle: () => number;
	/** Durations of the cycles recorded so far (the state file's, then this run's), oldest first. */
	readonly cycleDurationsS: () => readonly number[];
	/** Emits every agent's health as known from the state file, for a fresh store. */
	readonly announceHealth: () => void;
	readonly lastReport: () => CycleReport | undefined;
	/**
	The Prometheus text of moondev.prom as of now, for `GET /metrics`: the last cycle's, as written;
	before this run's first cycle, the all-time series from the state file (the last cycle's
	series without samples).
	*/
	readonly prometheus: () => string;
	/**
	A reloaded config, in effect from now (the engine calls it before the cycle that runs it): the
	agents, thresholds and files it names; new agents' health is announced. The folder stays.
	*/
	readonly setConfig: (config: ResolvedConfig) => void;
	readonly close: () => Promise<void>;
};

export type MonitorOptions = {
	readonly config: ResolvedConfig;
	/** The event bus: alerts and `metrics_exported` go back through it. */
	readonly emit: Emit;
	readonly initialState: MonitorState;
	/** The engine's clock, for the times the monitor stamps. @default Date.now */
	readonly now?: () => number;
	/** What the notifier did per target, for the metrics file and moondev.prom. */
	readonly notifyStats?: () => ReadonlyArray<{
		readonly label: string;
		readonly sent: number;
		readonly failed: number;
		readonly dropped: number;
		readonly folded: number;
		readonly held: number;
	}>;
};

const recentAlertCount = 5;

/**
The monitoring half (contract §7), one listener of the event stream, and the wiring of its parts:
the records (records.ts, pure), the alert rules (alert-rules.ts, pure), the metrics document
(metrics-document.ts, pure) and the one writer of the folder's files (monitor-files.ts); plus each
agent's log file. A folder that cannot be written raises an alert and the cycles go on.
*/
export function createMonitor(options: MonitorOptions): Monitor {
	const {emit} = options;
	// Replaced by a reload (setConfig), from the cycle it takes effect in; the folder never changes.
	let {config} = options;
	let {orchestrator} = config;
	const folder = orchestrator.metricsExportDir;
	let healthOn = orchestrator.enableHealthChecks;
	const clock = options.now ?? Date.now;
	let maxAttempts = new Map<string, number>();
	let critical = new Set<string>();
	let phaseOf = new Map<string, string>();
	const derive = () => {
		orchestrator = config.orchestrator;
		healthOn = orchestrator.enableHealthChecks;
		maxAttempts = new Map(
			config.agents.map(agent => [agent.name, agent.retries + 1]),
		);
		critical = new Set(
			config.agents.filter(agent => agent.critical).map(agent => agent.name),
		);
		phaseOf = new Map();
		for (const phase of config.phases) {
			for (const name of phase.agents) {
				phaseOf.set(name, phase.name);
			}
		}
	};

	derive();

	let state = options.initialState;
	let cycleStart: string | undefined;
	let haltReason: string | undefined;
	let entries = new Map<string, CycleAgentEntry>();
	let customMetrics: Record<string, number> = {};
	const malformedLines = new Map<string, number>();
	let ranThisCycle = new Set<string>();
	let report: CycleReport | undefined;
	const recentAlerts: RecordedAlert[] = [];
	const failedLogs = new Set<string>();

	const now = () => new Date(clock()).toISOString();
	const alert = (level: AlertLevel, message: string, agent?: string) => {
		emit({
			type: 'alert',
			time: now(),
			level,
			message,
			...(agent === undefined ? {} : {agent}),
		});
	};

	const raise = (rule: RuleAlert | undefined) => {
		if (rule) {
			alert(rule.level, rule.message, rule.agent);
		}
	};

	const createFiles = () =>
		createMonitorFiles({
			folder,
			promFile: orchestrator.promFile,
			retention: orchestrator.metricsRetention,
			onFailure(what, error) {
				alert(
					'critical',
					`${what} could not be written: ${errorMessage(error)}`,
				);
			},
		});
	let files = createFiles();

	const logs: AgentLogs = createAgentLogs({
		folder: path.join(folder, 'logs'),
		onError(agent, error) {
			// Once per agent: a log that cannot be written is said once, not per line.
			if (!failedLogs.has(agent)) {
				failedLogs.add(agent);
				alert(
					'critical',
					`the log of ${agent} could not be written: ${errorMessage(error)}`,
				);
			}
		},
	});

	const healthOfRecord = (record: AgentRecord): Health =>
		computeHealth(record.history, orchestrator.healthWindow);

	/** Every agent's health as the files show it: `unknown` when health checks are off. */
	const currentHealth = (): Record<string, Health> => {
		const health: Record<string, Health> = {};
		for (const agent of config.agents) {
			const agentHealth = healthOfRecord(recordOf(state, agent.name));
			health[agent.name] = healthOn
				? agentHealth
				: {...agentHealth, status: 'unknown'};
		}

		return health;
	};

	const notifications = (): Record<string, NotificationCounts> | undefined => {
		const stats = options.notifyStats?.() ?? [];
		return stats.length === 0
			? undefined
			: Object.fromEntries(
					stats.map(target => [
						target.label,
						{
							sent: target.sent,
							undelivered: target.failed + target.dropped,
							folded: target.folded,
							held: target.held,
						},
					]),
				);
	};

	const prometheusExtra = () => ({
		notifications: notifications(),
		halts: state.halts,
		malformedLines: Object.fromEntries(malformedLines),
		lastSuccess: Object.fromEntries(
			config.agents.map(agent => [
				agent.name,
				recordOf(state, agent.name).lastSuccess,
			]),
		),
	});
	let prometheusText: string | undefined;
	// Each running agent's highest CPU and memory so far in this run of it.
	const peaks = new Map<string, {cpu: number; memory: number}>();
	// Agents a reload added, whose health is announced with the event that lays them out.
	let newAgents: string[] = [];

	/** Tells the store an agent's health, for its badge and its estimated progress bar. */
	const emitHealth = (agent: string) => {
		const health = healthOfRecord(recordOf(state, agent));
		emit({
			type: 'agent_health',
			time: now(),
			agent,
			status: healthOn ? health.status : 'unknown',
			success_rate: health.successRate ?? null,
			avg_duration_s: health.avgDurationS ?? null,
		});
	};

	const onAgentEnd = (event: Extract<EngineEvent, {type: 'agent_end'}>) => {
		logs.finish(event.agent);
		const peak = peaks.get(event.agent);
		peaks.delete(event.agent);
		entries.set(event.agent, {
			status: event.status,
			phase: phaseOf.get(event.agent) ?? null,
			duration_seconds: event.duration_s,
			attempts: event.attempts,
			retries: Math.max(0, event.attempts - 1),
			error: event.error,
			...(peak
				? {
						peak_cpu_percent: Math.round(peak.cpu * 10) / 10,
						peak_memory_bytes: peak.memory,
					}
				: {}),
			...(event.worker === undefined ? {} : {worker: event.worker}),
		});
		const recorded = recordExecution(state, event, orchestrator.healthWindow);
		if (recorded) {
			state = recorded.state;
			ranThisCycle.add(event.agent);
			emitHealth(event.agent);
			if (healthOn) {
				for (const rule of healthAlerts(
					event.agent,
					healthOfRecord(recorded.before),
					healthOfRecord(recorded.after),
					critical.has(event.agent),
				)) {
					raise(rule);
				}
			}
		}

		raise(failedAfterRetriesAlert(event, critical.has(event.agent)));
	};

	const onAlert = (event: Extract<EngineEvent, {type: 'alert'}>) => {
		const entry: RecordedAlert = {
			time: event.time,
			level: event.level,
			message: event.message,
			...(event.agent === undefined ? {} : {agent: event.agent}),
		};
		recentAlerts.push(entry);
		if (recentAlerts.length > recentAlertCount) {
			recentAlerts.shift();
		}

		files.appendAlert(entry);
	};

	const endCycle = (event: Extract<EngineEvent, {type: 'cycle_end'}>) => {
		raise(slowCycleAlert(event.cycle, event.duration_s, state.cycleDurationsS));
		state = recordCycleEnd(state, event);

		const health = currentHealth();
		const ran = healthOn
			? config.agents
					.filter(agent => ranThisCycle.has(agent.name))
					.map(agent => ({
						agent: agent.name,
						unhealthy: own(health, agent.name)?.status === 'unhealthy',
					}))
			: [];
		const streaks = recordUnhealthyStreaks(state, ran);
		state = streaks.state;
		for (const [index, {agent}] of ran.entries()) {
			raise(unhealthyStreakAlert(agent, streaks.cycles[index] ?? 0));
		}

		const counts = notifications();
		const document: CycleMetrics = buildMetricsDocument({
			agents: config.agents.map(agent => agent.name),
			phaseOf,
			state,
			event,
			health,
			entries,
			cycleStart,
			haltReason,
			customMetrics,
			timestamp: now(),
		});
		const metrics: CycleMetrics = counts
			? {...document, notifications: counts}
			: document;
		prometheusText = formatPrometheus(metrics, prometheusExtra());
		const metricsFile = files.writeCycle(
			metrics,
			prometheusText,
			new Date(event.time),
		);
		if ('path' in metricsFile) {
			emit({
				type: 'metrics_exported',
				time: now(),
				cycle: event.cycle,
				path: metricsFile.path,
			});
		}

		files.saveState(state);
		report = {
			metrics,
			health,
			recentAlerts: [...recentAlerts],
			metricsFile,
			malformedLines: Object.fromEntries(malformedLines),
		};
		emit({type: 'cycle_recorded', time: now(), cycle: event.cycle});
	};

	return {
		listen(event) {
			switch (event.type) {
				// Said once the screens know the new agents: after the event that lays them out.
				case 'config_applied': {
					for (const agent of newAgents) {
						emitHealth(agent);
					}

					newAgents = [];
					break;
				}

				case 'cycle_start': {
					cycleStart = event.time;
					haltReason = undefined;
					entries = new Map();
					customMetrics = {};
					ranThisCycle = new Set();
					break;
				}

				case 'agent_start': {
					logs.startAttempt(event.agent, {
						cycle: event.cycle,
						attempt: event.attempt,
						time: event.time,
						...(event.worker === undefined ? {} : {worker: event.worker}),
					});
					// A cycle's start (not `run <agent>`'s cycle 0), saved with the cycle's state.
					if (event.attempt === 1 && event.cycle > 0) {
						state = recordStart(state, event.agent, Date.parse(event.time));
					}

					break;
				}

				case 'attempt_end': {
					if (event.malformed_lines > 0) {
						malformedLines.set(
							event.agent,
							(malformedLines.get(event.agent) ?? 0) + event.malformed_lines,
						);
					}

					if (event.status === 'timeout') {
						alert(
							'warning',
							`${event.agent} timed out after ${event.duration_s.toFixed(1)}s (attempt ${event.attempt}/${maxAttempts.get(event.agent) ?? 1})`,
							event.agent,
						);
					}

					break;
				}

				case 'agent_retry': {
					alert(
						'warning',
						`${event.agent} retry attempt ${event.attempt}/${maxAttempts.get(event.agent) ?? 1} in ${event.delay_s}s after ${event.error}`,
						event.agent,
					);
					break;
				}

				case 'agent_end': {
					onAgentEnd(event);
					break;
				}

				case 'agent_metric': {
					customMetrics[`${event.agent}.${event.name}`] = event.value;
					break;
				}

				case 'halt': {
					haltReason = event.reason;
					alert(
						'critical',
						`cycle ${event.cycle} halted by ${event.agent}: ${event.reason}`,
						event.agent,
					);
					break;
				}

				case 'alert': {
					onAlert(event);
					break;
				}

				case 'cycle_end': {
					endCycle(event);
					break;
				}

				case 'agent_usage': {
					// The peak of each agent's run, for its entry in the metrics file.
					for (const [agent, usage] of Object.entries(event.usage)) {
						const peak = peaks.get(agent);
						peaks.set(agent, {
							cpu: Math.max(peak?.cpu ?? 0, usage.cpu_percent),
							memory: Math.max(peak?.memory ?? 0, usage.memory_bytes),
						});
					}

					break;
				}

				case 'phase_start':
				case 'workers':
				case 'agent_not_due':
				case 'agent_progress':
				case 'agent_output':
				case 'agent_toggle':
				case 'schedule':
				case 'metrics_exported':
				case 'engine_stop':
				case 'agent_health':
				case 'cycle_recorded': {
					break;
				}
			}
		},
		healthOf(agent) {
			return healthOn
				? healthOfRecord(recordOf(state, agent)).status
				: 'unknown';
		},
		// Not async: nothing returned (read on) must not become a promise to wait on.
		// eslint-disable-next-line @typescript-eslint/promise-function-async
		onLines(agent, lines, stream) {
			logs.write(agent, lines, stream);
			return logs.behind(agent);
		},
		lastStartOf: agent => recordOf(state, agent).lastStart,
		nextCycle: () => nextCycleOf(state),
		lastReport: () => report,
		prometheus: () =>
			prometheusText ??
			formatPrometheus(
				{
					total_cycles: state.totalCycles,
					agents: summarizeAgents(
						config.agents.map(agent => agent.name),
						state,
						currentHealth(),
					),
				},
				prometheusExtra(),
			),
		cycleDurationsS: () => state.cycleDurationsS,
		setConfig(next) {
			const known = new Set(config.agents.map(agent => agent.name));
			const filesChanged =
				next.orchestrator.promFile !== orchestrator.promFile ||
				next.orchestrator.metricsRetention !== orchestrator.metricsRetention;
			config = next;
			derive();
			if (filesChanged) {
				files = createFiles();
			}

			newAgents = config.agents
				.map(agent => agent.name)
				.filter(name => !known.has(name));
		},
		announceHealth() {
			for (const agent of config.agents) {
				emitHealth(agent.name);
			}
		},
		close: async () => logs.close(),
	};
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
