import type {EngineEvent} from '../contract/events.js';
import {recentLinesCapacity} from '../contract/capacities.js';
import {formatClock, formatDuration} from '../util/format.js';
import {own} from '../util/own.js';
import {
	type AgentState,
	type AppState,
	type LogLine,
	type PhaseTiming,
	alertsCapacity,
	metricHistoryCapacity,
	recentCyclesCapacity,
	withLayout,
} from './state.js';

/**
The store's only way to change: one event in, the next state out. Pure, and it keeps every part
of the state that the event does not touch identical, so a component that selects one agent
re-renders only when that agent changes.
*/
export function reduce(state: AppState, event: EngineEvent): AppState {
	switch (event.type) {
		case 'cycle_start': {
			const agents: Record<string, AgentState> = {};
			for (const [name, agent] of Object.entries(state.agents)) {
				agents[name] = agent.enabled
					? {
							...agent,
							status: 'queued',
							percent: undefined,
							message: undefined,
							error: undefined,
							attempt: 0,
							retryAt: undefined,
						}
					: {...agent, status: 'disabled'};
			}

			return {
				...state,
				agents,
				cycle: {
					...state.cycle,
					number: event.cycle,
					running: true,
					phase: undefined,
					phaseIndex: 0,
					startedAt: Date.parse(event.time),
					endedAt: undefined,
					halted: false,
					haltReason: undefined,
					haltedBy: undefined,
					nextRunAt: undefined,
					phases: [],
				},
			};
		}

		case 'phase_start': {
			const at = Date.parse(event.time);
			return {
				...state,
				cycle: {
					...state.cycle,
					phase: event.phase,
					phaseIndex: state.phaseNames.indexOf(event.phase) + 1,
					phases: [
						...endPhases(state.cycle.phases, at),
						{name: event.phase, startedAt: at, endedAt: undefined},
					],
				},
			};
		}

		case 'agent_start': {
			return updateAgent(state, event.agent, agent => ({
				...agent,
				status: 'running',
				attempt: event.attempt,
				percent: undefined,
				retryAt: undefined,
				startedAt:
					event.attempt === 1 ? Date.parse(event.time) : agent.startedAt,
				endedAt: undefined,
				worker: event.worker,
				...withMark(
					agent,
					`cycle ${event.cycle} · attempt ${event.attempt} started ${formatClock(event.time)}${event.worker === undefined ? '' : ` on worker ${event.worker}`}`,
					event.time,
				),
			}));
		}

		case 'workers': {
			return {...state, workers: event.workers};
		}

		case 'agent_progress': {
			return updateAgent(state, event.agent, agent => ({
				...agent,
				percent: event.percent ?? agent.percent,
				message: event.message ?? agent.message,
			}));
		}

		case 'agent_retry': {
			return updateAgent(state, event.agent, agent => ({
				...agent,
				status: 'retrying',
				error: event.error,
				retryAt: Date.parse(event.time) + event.delay_s * 1000,
			}));
		}

		case 'agent_end': {
			return updateAgent(state, event.agent, agent => ({
				...agent,
				usage: undefined,
				status: event.status,
				attempt: event.attempts || agent.attempt,
				endedAt: Date.parse(event.time),
				lastDurationMs:
					event.status === 'skipped' || event.status === 'not_due'
						? agent.lastDurationMs
						: event.duration_s * 1000,
				error: event.error ?? undefined,
				retryAt: undefined,
				percent:
					event.status === 'success' || event.status === 'halted'
						? 100
						: agent.percent,
			}));
		}

		case 'agent_usage': {
			let next = state;
			for (const [name, usage] of Object.entries(event.usage)) {
				next = updateAgent(next, name, agent =>
					agent.status === 'running'
						? {
								...agent,
								usage: {
									cpuPercent: usage.cpu_percent,
									memoryBytes: usage.memory_bytes,
								},
							}
						: agent,
				);
			}

			return next;
		}

		case 'agent_not_due': {
			return updateAgent(state, event.agent, agent => ({
				...agent,
				nextDueAt:
					event.next_due === null ? undefined : Date.parse(event.next_due),
			}));
		}

		case 'agent_output': {
			const at = Date.parse(event.time);
			const stderr = new Set(event.stderr);
			return updateAgent(state, event.agent, agent => ({
				...agent,
				recentLines: appendCapped(
					agent.recentLines,
					event.lines.map((text, index): LogLine => ({
						text,
						kind: stderr.has(index) ? 'err' : 'out',
						at,
					})),
					recentLinesCapacity,
				),
				totalLines: agent.totalLines + event.lines.length + event.dropped,
				droppedLines: agent.droppedLines + event.dropped,
			}));
		}

		case 'agent_metric': {
			return updateAgent(state, event.agent, agent => ({
				...agent,
				metrics: {...agent.metrics, [event.name]: event.value},
				metricHistory: {
					...agent.metricHistory,
					[event.name]: appendCapped(
						own(agent.metricHistory, event.name) ?? [],
						[event.value],
						metricHistoryCapacity,
					),
				},
			}));
		}

		case 'agent_toggle': {
			return updateAgent(state, event.agent, agent => ({
				...agent,
				enabled: event.enabled,
			}));
		}

		case 'alert': {
			return {
				...state,
				alerts: appendCapped(
					state.alerts,
					[
						{
							time: Date.parse(event.time),
							level: event.level,
							message: event.message,
							agent: event.agent,
						},
					],
					alertsCapacity,
				),
			};
		}

		case 'halt': {
			return {
				...state,
				cycle: {
					...state.cycle,
					halted: true,
					haltReason: event.reason,
					haltedBy: event.agent,
				},
			};
		}

		case 'cycle_end': {
			return {
				...state,
				cycle: {
					...state.cycle,
					running: false,
					phase: undefined,
					endedAt: Date.parse(event.time),
					phases: endPhases(state.cycle.phases, Date.parse(event.time)),
					halted: event.halted,
					recentDurationsMs: appendCapped(
						state.cycle.recentDurationsMs,
						[event.duration_s * 1000],
						recentCyclesCapacity,
					),
				},
			};
		}

		case 'schedule': {
			return {
				...state,
				cycle: {
					...state.cycle,
					paused: event.paused,
					forced: event.forced,
					nextRunAt:
						event.next_run === null ? undefined : Date.parse(event.next_run),
				},
			};
		}

		case 'agent_health': {
			return updateAgent(state, event.agent, agent => ({
				...agent,
				health: {
					status: event.status,
					successRate: event.success_rate ?? undefined,
					avgDurationS: event.avg_duration_s ?? undefined,
				},
			}));
		}

		case 'attempt_end': {
			return updateAgent(state, event.agent, agent => ({
				...agent,
				malformedLines: agent.malformedLines + event.malformed_lines,
				...withMark(
					agent,
					`attempt ${event.attempt} ended: ${event.status} in ${formatDuration(event.duration_s * 1000)}${event.error ? ` (${event.error})` : ''}`,
					event.time,
				),
			}));
		}

		case 'config_applied': {
			return withLayout(state, event.agents, event.phases);
		}

		case 'cycle_recorded':
		case 'metrics_exported':
		case 'engine_stop': {
			return state;
		}
	}
}

/** An attempt's boundary in the agent's log view: a line of its own, counted as one. */
function withMark(
	agent: AgentState,
	text: string,
	time: string,
): Pick<AgentState, 'recentLines' | 'totalLines'> {
	return {
		recentLines: appendCapped(
			agent.recentLines,
			[{text, kind: 'mark', at: Date.parse(time)}],
			recentLinesCapacity,
		),
		totalLines: agent.totalLines + 1,
	};
}

/** The phases with the open one closed at `at`. */
function endPhases(
	phases: readonly PhaseTiming[],
	at: number,
): readonly PhaseTiming[] {
	const last = phases.at(-1);
	return last && last.endedAt === undefined
		? [...phases.slice(0, -1), {...last, endedAt: at}]
		: phases;
}

function updateAgent(
	state: AppState,
	name: string,
	update: (agent: AgentState) => AgentState,
): AppState {
	const agent = own(state.agents, name);
	if (!agent) {
		return state;
	}

	return {...state, agents: {...state.agents, [name]: update(agent)}};
}

/** `list` with `added` at the end, keeping the last `capacity`. */
function appendCapped<T>(
	list: readonly T[],
	added: readonly T[],
	capacity: number,
): readonly T[] {
	if (added.length >= capacity) {
		return added.slice(-capacity);
	}

	const overflow = list.length + added.length - capacity;
	return overflow > 0
		? [...list.slice(overflow), ...added]
		: [...list, ...added];
}
