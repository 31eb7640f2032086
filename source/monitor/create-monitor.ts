import {Buffer} from 'node:buffer';
import {appendFileSync, mkdirSync, renameSync, statSync} from 'node:fs';
import path from 'node:path';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {
	type AlertLevel,
	type Emit,
	type EngineEvent,
	type HealthStatus,
} from '../contract/events.js';
import type {OutputStream} from '../runner/run-agent.js';
import {plural} from '../util/format.js';
import {escapeJsonText} from '../util/escape-text.js';
import {own} from '../util/own.js';
import {type AgentLogs, createAgentLogs} from './agent-logs.js';
import {writeFileAtomicSync} from './atomic-write.js';
import {computeHealth, countsAs, type Health} from './health.js';
import {
	type AgentSummary,
	applyRetention,
	type CycleAgentEntry,
	type CycleMetrics,
	metricsFileName,
	round,
} from './metrics-file.js';
import {formatPrometheus} from './prometheus.js';
import {
	type AgentRecord,
	emptyAgentRecord,
	type MonitorState,
	nextCycleOf,
	saveState,
} from './state-file.js';

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
	) => void;
	/** The number the next cycle gets, so numbering goes on after a restart. */
	readonly nextCycle: () => number;
	/** Durations of the cycles recorded so far (the state file's, then this run's), oldest first. */
	readonly cycleDurationsS: () => readonly number[];
	/** Emits every agent's health as known from the state file, for a fresh store. */
	readonly announceHealth: () => void;
	readonly lastReport: () => CycleReport | undefined;
	readonly close: () => Promise<void>;
};

/** A cycle shorter than this is not worth a "slow cycle" alert, however it compares. */
export const slowCycleMinimumS = 10;

export type MonitorOptions = {
	readonly config: ResolvedConfig;
	/** The event bus: alerts and `metrics_exported` go back through it. */
	readonly emit: Emit;
	readonly initialState: MonitorState;
};

const historyCap = (window: number) => Math.max(window, 50);
const maxCycleDurations = 100;
const recentAlertCount = 5;
const maxAlertsFileBytes = 10 * 1024 * 1024;

/**
The monitoring half (contract §7), one listener of the event stream: health per agent as each one
finishes, the alert rules, and after every cycle the metrics file, `moondev.prom` and the state
file, each written atomically; plus each agent's log file. A folder that cannot be written raises
an alert and the cycles go on.
*/
export function createMonitor(options: MonitorOptions): Monitor {
	const {config, emit} = options;
	const {orchestrator} = config;
	const folder = orchestrator.metricsExportDir;
	const healthOn = orchestrator.enableHealthChecks;
	const maxAttempts = new Map(
		config.agents.map(agent => [agent.name, agent.retries + 1]),
	);
	const critical = new Set(
		config.agents.filter(agent => agent.critical).map(agent => agent.name),
	);
	const phaseOf = new Map<string, string>();
	for (const phase of config.phases) {
		for (const name of phase.agents) {
			phaseOf.set(name, phase.name);
		}
	}

	let state = options.initialState;
	let cycleStart: string | undefined;
	let haltReason: string | undefined;
	let entries = new Map<string, CycleAgentEntry>();
	let customMetrics: Record<string, number> = {};
	const malformedLines = new Map<string, number>();
	let ranThisCycle = new Set<string>();
	let report: CycleReport | undefined;
	const recentAlerts: RecordedAlert[] = [];
	const failedWrites = new Set<string>();

	const now = () => new Date().toISOString();
	const alert = (level: AlertLevel, message: string, agent?: string) => {
		emit({
			type: 'alert',
			time: now(),
			level,
			message,
			...(agent === undefined ? {} : {agent}),
		});
	};

	/** Reports a write that failed once per kind of file, not on every cycle. */
	const writeFailed = (what: string, error: unknown) => {
		if (!failedWrites.has(what)) {
			failedWrites.add(what);
			alert('critical', `${what} could not be written: ${errorMessage(error)}`);
		}
	};

	const logs: AgentLogs = createAgentLogs({
		folder: path.join(folder, 'logs'),
		onError(agent, error) {
			writeFailed(`the log of ${agent}`, error);
		},
	});

	const recordOf = (agent: string): AgentRecord =>
		own(state.agents, agent) ?? emptyAgentRecord;
	const healthOfRecord = (record: AgentRecord): Health =>
		computeHealth(record.history, orchestrator.healthWindow);

	const recordExecution = ({
		agent,
		status,
		duration_s: durationS,
		attempts,
		time,
	}: Extract<EngineEvent, {type: 'agent_end'}>) => {
		const counted = countsAs(status);
		if (!counted) {
			return;
		}

		const before = recordOf(agent);
		const ok = counted === 'success';
		const retries = Math.max(0, attempts - 1);
		const endedAt = Date.parse(time);
		const after: AgentRecord = {
			...before,
			history: [
				...before.history,
				{time: endedAt, ok, durationS, retries},
			].slice(-historyCap(orchestrator.healthWindow)),
			executions: before.executions + 1,
			successes: before.successes + (ok ? 1 : 0),
			failures: before.failures + (ok ? 0 : 1),
			totalRetries: before.totalRetries + retries,
			lastExecution: endedAt,
			lastDurationS: durationS,
		};
		state = {...state, agents: {...state.agents, [agent]: after}};
		ranThisCycle.add(agent);
		emitHealth(agent);
		if (healthOn) {
			raiseHealthAlerts(agent, healthOfRecord(before), healthOfRecord(after));
		}
	};

	/** Tells the store an agent's health, for its badge and its estimated progress bar. */
	const emitHealth = (agent: string) => {
		const health = healthOfRecord(recordOf(agent));
		emit({
			type: 'agent_health',
			time: now(),
			agent,
			status: healthOn ? health.status : 'unknown',
			success_rate: health.successRate ?? null,
			avg_duration_s: health.avgDurationS ?? null,
		});
	};

	const raiseHealthAlerts = (agent: string, before: Health, after: Health) => {
		if (after.status === 'unhealthy' && before.status !== 'unhealthy') {
			// One failure of an agent that is not the risk check is worth a look, not a page.
			alert(
				critical.has(agent) ? 'critical' : 'warning',
				`${agent} became unhealthy (${describeHealth(after)})`,
				agent,
			);
		}

		if (
			after.successRate !== undefined &&
			after.successRate < 80 &&
			(before.successRate ?? 100) >= 80
		) {
			alert(
				'warning',
				`${agent} success rate fell to ${after.successRate.toFixed(1)}% (under 80%)`,
				agent,
			);
		}

		if (after.consecutiveFailures === 5) {
			alert('critical', `${agent} failed 5 times in a row`, agent);
		}
	};

	const appendAlert = (event: Extract<EngineEvent, {type: 'alert'}>) => {
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

		try {
			mkdirSync(folder, {recursive: true});
			const file = path.join(folder, 'alerts.jsonl');
			if (
				(statSync(file, {throwIfNoEntry: false})?.size ?? 0) >
				maxAlertsFileBytes
			) {
				renameSync(file, `${file}.1`);
			}

			appendFileSync(file, `${escapeJsonText(JSON.stringify(entry))}\n`);
		} catch (error) {
			writeFailed('alerts.jsonl', error);
		}
	};

	const endCycle = (event: Extract<EngineEvent, {type: 'cycle_end'}>) => {
		const previous = state.cycleDurationsS;
		state = {
			...state,
			totalCycles: state.totalCycles + 1,
			lastCycle: Math.max(state.lastCycle ?? 0, event.cycle),
			halts: state.halts + (event.halted ? 1 : 0),
			cycleDurationsS: [...previous, event.duration_s].slice(
				-maxCycleDurations,
			),
		};

		if (previous.length >= 3) {
			const average =
				previous.reduce((sum, value) => sum + value, 0) / previous.length;
			if (
				event.duration_s >= slowCycleMinimumS &&
				event.duration_s > 2 * average
			) {
				alert(
					'warning',
					`cycle ${event.cycle} took ${event.duration_s.toFixed(1)}s, over twice the average ${average.toFixed(1)}s`,
				);
			}
		}

		const health: Record<string, Health> = {};
		for (const agent of config.agents) {
			const record = recordOf(agent.name);
			health[agent.name] = healthOn
				? healthOfRecord(record)
				: {...healthOfRecord(record), status: 'unknown'};
			if (healthOn && ranThisCycle.has(agent.name)) {
				const unhealthy = own(health, agent.name)?.status === 'unhealthy';
				const cycles = unhealthy ? record.unhealthyCycles + 1 : 0;
				state = {
					...state,
					agents: {
						...state.agents,
						[agent.name]: {...record, unhealthyCycles: cycles},
					},
				};
				if (cycles === 3) {
					alert(
						'critical',
						`${agent.name} has been unhealthy for 3 cycles in a row`,
						agent.name,
					);
				}
			}
		}

		const metrics = buildMetrics(event, health);
		let metricsFile: CycleReport['metricsFile'];
		try {
			mkdirSync(folder, {recursive: true});
			const file = path.join(
				folder,
				metricsFileName(folder, new Date(event.time)),
			);
			const text = `${JSON.stringify(metrics, undefined, 2)}\n`;
			writeFileAtomicSync(file, text);
			applyRetention(folder, orchestrator.metricsRetention);
			writeFileAtomicSync(
				path.join(folder, 'moondev.prom'),
				formatPrometheus(metrics, {
					halts: state.halts,
					malformedLines: Object.fromEntries(malformedLines),
				}),
			);
			metricsFile = {path: file, bytes: Buffer.byteLength(text)};
			failedWrites.delete('metrics');
			emit({
				type: 'metrics_exported',
				time: now(),
				cycle: event.cycle,
				path: file,
			});
		} catch (error) {
			metricsFile = {error: errorMessage(error)};
			writeFailed('metrics', error);
		}

		try {
			saveState(folder, state);
		} catch (error) {
			writeFailed('the state file', error);
		}

		report = {
			metrics,
			health,
			recentAlerts: [...recentAlerts],
			metricsFile,
			malformedLines: Object.fromEntries(malformedLines),
		};
		emit({type: 'cycle_recorded', time: now(), cycle: event.cycle});
	};

	const buildMetrics = (
		event: Extract<EngineEvent, {type: 'cycle_end'}>,
		health: Record<string, Health>,
	): CycleMetrics => {
		const cycle: Record<string, CycleAgentEntry> = {};
		for (const [agent, status] of Object.entries(event.results)) {
			cycle[agent] = entries.get(agent) ?? {
				status,
				phase: phaseOf.get(agent) ?? null,
				duration_seconds: 0,
				attempts: 0,
				retries: 0,
				error: null,
			};
		}

		const agents: Record<string, AgentSummary> = {};
		let totalExecutions = 0;
		let totalSuccesses = 0;
		let totalFailures = 0;
		for (const agent of config.agents) {
			const record = recordOf(agent.name);
			const agentHealth = own(health, agent.name);
			totalExecutions += record.executions;
			totalSuccesses += record.successes;
			totalFailures += record.failures;
			agents[agent.name] = {
				executions: record.executions,
				successes: record.successes,
				failures: record.failures,
				success_rate:
					record.executions > 0
						? round((record.successes / record.executions) * 100, 2)
						: 0,
				avg_execution_time: round(agentHealth?.avgDurationS ?? 0, 3),
				total_retries: record.totalRetries,
				consecutive_failures: agentHealth?.consecutiveFailures ?? 0,
				last_execution:
					record.lastExecution === undefined
						? null
						: new Date(record.lastExecution).toISOString(),
				health_status: agentHealth?.status ?? 'unknown',
			};
		}

		const durations = state.cycleDurationsS;
		const averageCycleS =
			durations.reduce((sum, value) => sum + value, 0) /
			Math.max(1, durations.length);
		return {
			timestamp: now(),
			total_cycles: state.totalCycles,
			current_cycle: event.cycle,
			cycle_start: cycleStart ?? event.time,
			cycle_end: event.time,
			cycle_duration_seconds: event.duration_s,
			halted: event.halted,
			halt_reason: event.halted ? (haltReason ?? null) : null,
			cycle,
			agents,
			performance: {
				total_executions: totalExecutions,
				total_successes: totalSuccesses,
				total_failures: totalFailures,
				overall_success_rate:
					totalExecutions > 0
						? round((totalSuccesses / totalExecutions) * 100, 2)
						: 0,
				avg_cycle_time_minutes: round(averageCycleS / 60, 3),
			},
			custom_metrics: customMetrics,
		};
	};

	return {
		listen(event) {
			switch (event.type) {
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
					});
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
					logs.finish(event.agent);
					entries.set(event.agent, {
						status: event.status,
						phase: phaseOf.get(event.agent) ?? null,
						duration_seconds: event.duration_s,
						attempts: event.attempts,
						retries: Math.max(0, event.attempts - 1),
						error: event.error,
					});
					recordExecution(event);
					const failedAfterRetries =
						event.status === 'failed' ||
						(event.status === 'timeout' && event.attempts > 1);
					if (failedAfterRetries) {
						const level = critical.has(event.agent) ? 'critical' : 'warning';
						alert(
							level,
							`${event.agent} ${event.status} after ${plural(event.attempts, 'attempt')}: ${event.error ?? event.status}`,
							event.agent,
						);
					}

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
					appendAlert(event);
					break;
				}

				case 'cycle_end': {
					endCycle(event);
					break;
				}

				case 'phase_start':
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
			return healthOn ? healthOfRecord(recordOf(agent)).status : 'unknown';
		},
		onLines(agent, lines, stream) {
			logs.write(agent, lines, stream);
		},
		nextCycle: () => nextCycleOf(state),
		lastReport: () => report,
		cycleDurationsS: () => state.cycleDurationsS,
		announceHealth() {
			for (const agent of config.agents) {
				emitHealth(agent.name);
			}
		},
		close: async () => logs.close(),
	};
}

function describeHealth(health: Health): string {
	const rate =
		health.successRate === undefined
			? ''
			: `success ${health.successRate.toFixed(1)}%`;
	const streak =
		health.consecutiveFailures > 0
			? `${plural(health.consecutiveFailures, 'failure')} in a row`
			: '';
	return [rate, streak].filter(Boolean).join(', ');
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
