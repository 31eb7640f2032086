import type {AgentEndEvent, CycleEndEvent} from '../contract/events.js';
import {own} from '../util/own.js';
import {countsAs} from './health.js';
import {
	type AgentRecord,
	emptyAgentRecord,
	type MonitorState,
} from './state-file.js';

/*
The monitor's record-keeping, pure: state × event → state, as the store's reducer is. What is
kept of each agent across cycles and restarts, and of the cycles themselves.
*/

/** Executions kept per agent: at least the health window, and enough for a short history. */
export const historyCapacity = (healthWindow: number) =>
	Math.max(healthWindow, 50);
/** Cycle durations kept, for the average and the timings panel. */
export const maxCycleDurations = 100;

/** An agent's record, or an empty one: own properties only, so "constructor" is an agent too. */
export function recordOf(state: MonitorState, agent: string): AgentRecord {
	return own(state.agents, agent) ?? emptyAgentRecord;
}

/**
An agent's run counted into its record (skipped, disabled and cancelled runs do not count):
the new state, with the record before and after, or undefined when it did not count.
*/
export function recordExecution(
	state: MonitorState,
	event: AgentEndEvent,
	healthWindow: number,
):
	| {
			readonly state: MonitorState;
			readonly before: AgentRecord;
			readonly after: AgentRecord;
	  }
	| undefined {
	const counted = countsAs(event.status);
	if (!counted) {
		return undefined;
	}

	const before = recordOf(state, event.agent);
	const ok = counted === 'success';
	const retries = Math.max(0, event.attempts - 1);
	const endedAt = Date.parse(event.time);
	const after: AgentRecord = {
		...before,
		history: [
			...before.history,
			{time: endedAt, ok, durationS: event.duration_s, retries},
		].slice(-historyCapacity(healthWindow)),
		executions: before.executions + 1,
		successes: before.successes + (ok ? 1 : 0),
		failures: before.failures + (ok ? 0 : 1),
		totalRetries: before.totalRetries + retries,
		lastExecution: endedAt,
		lastDurationS: event.duration_s,
		lastSuccess: ok ? endedAt : before.lastSuccess,
	};
	return {
		state: {...state, agents: {...state.agents, [event.agent]: after}},
		before,
		after,
	};
}

/** A cycle counted: its number, whether it halted, its duration among the latest. */
export function recordCycleEnd(
	state: MonitorState,
	event: CycleEndEvent,
): MonitorState {
	return {
		...state,
		totalCycles: state.totalCycles + 1,
		lastCycle: Math.max(state.lastCycle ?? 0, event.cycle),
		halts: state.halts + (event.halted ? 1 : 0),
		cycleDurationsS: [...state.cycleDurationsS, event.duration_s].slice(
			-maxCycleDurations,
		),
	};
}

/** An agent that ran this cycle ended it unhealthy or not: its streak of unhealthy cycles. */
export function recordUnhealthyStreak(
	state: MonitorState,
	agent: string,
	unhealthy: boolean,
): {readonly state: MonitorState; readonly cycles: number} {
	const recorded = recordUnhealthyStreaks(state, [{agent, unhealthy}]);
	return {state: recorded.state, cycles: recorded.cycles[0] ?? 0};
}

/**
The streaks of every agent that ran this cycle, in one new state: the agents' table is copied once,
not once per agent (for 200 agents, 200 copies of a 200-entry table a cycle). `cycles` follows the
order of `ran`.
*/
export function recordUnhealthyStreaks(
	state: MonitorState,
	ran: ReadonlyArray<{readonly agent: string; readonly unhealthy: boolean}>,
): {readonly state: MonitorState; readonly cycles: readonly number[]} {
	const agents = {...state.agents};
	const cycles = ran.map(({agent, unhealthy}) => {
		const record = recordOf(state, agent);
		const streak = unhealthy ? record.unhealthyCycles + 1 : 0;
		agents[agent] = {...record, unhealthyCycles: streak};
		return streak;
	});
	return {state: {...state, agents}, cycles};
}

/** An agent started in a cycle: its schedule (`every`, `cron`) counts from this start. */
export function recordStart(
	state: MonitorState,
	agent: string,
	time: number,
): MonitorState {
	return {
		...state,
		agents: {
			...state.agents,
			[agent]: {...recordOf(state, agent), lastStart: time},
		},
	};
}
