import type {CycleEndEvent} from '../contract/events.js';
import {own} from '../util/own.js';
import type {Health} from './health.js';
import {
	type AgentSummary,
	type CycleAgentEntry,
	type CycleMetrics,
	round,
} from './metrics-file.js';
import {recordOf} from './records.js';
import type {MonitorState} from './state-file.js';

/** What one cycle's metrics document is made of: the monitor's records and this cycle's events. */
export type CycleFacts = {
	/** Every agent of the config, in config order. */
	readonly agents: readonly string[];
	readonly phaseOf: ReadonlyMap<string, string>;
	/** The state with this cycle recorded. */
	readonly state: MonitorState;
	readonly event: CycleEndEvent;
	readonly health: Readonly<Record<string, Health>>;
	/** This cycle's `agent_end`s, by agent. */
	readonly entries: ReadonlyMap<string, CycleAgentEntry>;
	readonly cycleStart: string | undefined;
	readonly haltReason: string | undefined;
	readonly customMetrics: Readonly<Record<string, number>>;
	/** When the document is made (ISO 8601). */
	readonly timestamp: string;
};

/**
The metrics file's document (contract §7), pure: all-time counters in executions, successes,
failures, success_rate and total_retries; the health window's figures in health_status,
avg_execution_time and consecutive_failures.
*/
export function buildMetricsDocument(facts: CycleFacts): CycleMetrics {
	const {state, event, health} = facts;
	const cycle: Record<string, CycleAgentEntry> = {};
	for (const [agent, status] of Object.entries(event.results)) {
		cycle[agent] = facts.entries.get(agent) ?? {
			status,
			phase: facts.phaseOf.get(agent) ?? null,
			duration_seconds: 0,
			attempts: 0,
			retries: 0,
			error: null,
		};
	}

	const agents = summarizeAgents(facts.agents, state, health);
	let totalExecutions = 0;
	let totalSuccesses = 0;
	let totalFailures = 0;
	for (const summary of Object.values(agents)) {
		totalExecutions += summary.executions;
		totalSuccesses += summary.successes;
		totalFailures += summary.failures;
	}

	const durations = state.cycleDurationsS;
	const averageCycleS =
		durations.reduce((sum, value) => sum + value, 0) /
		Math.max(1, durations.length);
	return {
		timestamp: facts.timestamp,
		total_cycles: state.totalCycles,
		current_cycle: event.cycle,
		cycle_start: facts.cycleStart ?? event.time,
		cycle_end: event.time,
		cycle_duration_seconds: event.duration_s,
		halted: event.halted,
		halt_reason: event.halted ? (facts.haltReason ?? null) : null,
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
		custom_metrics: {...facts.customMetrics},
	};
}

/**
The metrics file's `agents` (contract §7), in config order: all-time counters from the records,
the health window's figures from `health`. Known before any cycle of a run, from the state file.
*/
export function summarizeAgents(
	names: readonly string[],
	state: MonitorState,
	health: Readonly<Record<string, Health>>,
): Record<string, AgentSummary> {
	const entries: Array<[string, AgentSummary]> = names.map(agent => {
		const record = recordOf(state, agent);
		const agentHealth = own(health, agent);
		return [
			agent,
			{
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
			},
		];
	});
	return Object.fromEntries(entries);
}
