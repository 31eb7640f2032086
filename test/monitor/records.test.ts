import {expect, test} from 'vitest';
import type {AgentEndEvent} from '../../source/contract/events.js';
import {
	buildMetricsDocument,
	summarizeAgents,
} from '../../source/monitor/metrics-document.js';
import {
	recordCycleEnd,
	recordExecution,
	recordOf,
	recordUnhealthyStreak,
} from '../../source/monitor/records.js';
import {emptyState} from '../../source/monitor/state-file.js';

/* The monitor's record-keeping and its metrics document, pure: state × event → state. */

const end = (extra: Partial<AgentEndEvent>): AgentEndEvent => ({
	type: 'agent_end',
	time: '2026-11-25T10:00:00.000Z',
	cycle: 1,
	agent: 'constructor',
	status: 'success',
	duration_s: 2,
	attempts: 2,
	error: null,
	...extra,
});

test('a counted run updates the record; skipped and cancelled runs do not count', () => {
	const first = recordExecution(emptyState, end({}), 20);
	expect(first?.before).toEqual(recordOf(emptyState, 'constructor'));
	expect(first?.after).toMatchObject({
		executions: 1,
		successes: 1,
		totalRetries: 1,
		lastDurationS: 2,
	});
	expect(recordExecution(emptyState, end({status: 'skipped'}), 20)).toBe(
		undefined,
	);
	expect(recordExecution(emptyState, end({status: 'cancelled'}), 20)).toBe(
		undefined,
	);
	// "constructor" is a name like any other: its record is its own.
	expect(recordOf(first!.state, 'constructor').executions).toBe(1);
	expect(recordOf(emptyState, 'toString')).toEqual(
		recordOf(emptyState, 'nobody'),
	);
});

test('cycles: counted, halts counted, numbering kept, durations capped', () => {
	let state = emptyState;
	for (let cycle = 1; cycle <= 120; cycle++) {
		state = recordCycleEnd(state, {
			type: 'cycle_end',
			time: '2026-11-25T10:00:00.000Z',
			cycle,
			duration_s: cycle,
			halted: cycle % 10 === 0,
			results: {},
		});
	}

	expect(state).toMatchObject({totalCycles: 120, lastCycle: 120, halts: 12});
	expect(state.cycleDurationsS).toHaveLength(100);
	expect(state.cycleDurationsS[0]).toBe(21);
});

test('an unhealthy streak grows while unhealthy and restarts when not', () => {
	let streak = recordUnhealthyStreak(emptyState, 'bot', true);
	streak = recordUnhealthyStreak(streak.state, 'bot', true);
	expect(streak.cycles).toBe(2);
	expect(recordUnhealthyStreak(streak.state, 'bot', false).cycles).toBe(0);
});

test('the metrics document: all-time counters, window figures, skipped agents, custom metrics', () => {
	const recorded = recordExecution(emptyState, end({agent: 'risk'}), 20)!;
	const state = recordCycleEnd(recorded.state, {
		type: 'cycle_end',
		time: '2026-11-25T10:00:05.000Z',
		cycle: 1,
		duration_s: 5,
		halted: false,
		results: {risk: 'success', news: 'skipped'},
	});
	const document = buildMetricsDocument({
		agents: ['risk', 'news'],
		phaseOf: new Map([
			['risk', 'critical'],
			['news', 'parallel'],
		]),
		state,
		event: {
			type: 'cycle_end',
			time: '2026-11-25T10:00:05.000Z',
			cycle: 1,
			duration_s: 5,
			halted: false,
			results: {risk: 'success', news: 'skipped'},
		},
		health: {
			risk: {
				status: 'healthy',
				successRate: 100,
				avgDurationS: 2,
				consecutiveFailures: 0,
				lastSuccess: undefined,
				lastFailure: undefined,
			},
		},
		entries: new Map(),
		cycleStart: '2026-11-25T10:00:00.000Z',
		haltReason: undefined,
		customMetrics: {'risk.var_95': 0.03},
		timestamp: '2026-11-25T10:00:06.000Z',
	});
	expect(document).toMatchObject({
		total_cycles: 1,
		current_cycle: 1,
		halted: false,
		halt_reason: null,
		cycle: {
			news: {status: 'skipped', phase: 'parallel', attempts: 0},
		},
		agents: {
			risk: {executions: 1, success_rate: 100, health_status: 'healthy'},
			news: {executions: 0, success_rate: 0, health_status: 'unknown'},
		},
		performance: {total_executions: 1, avg_cycle_time_minutes: 0.083},
		custom_metrics: {'risk.var_95': 0.03},
	});
});

test('the last success: a success or a halt sets it, a failure keeps it, a skip is no run', () => {
	let state = emptyState;
	const run = (time: string, status: AgentEndEvent['status']) => {
		state =
			recordExecution(state, end({agent: 'risk', time, status}), 20)?.state ??
			state;
		return recordOf(state, 'risk').lastSuccess;
	};

	expect(recordOf(state, 'risk').lastSuccess).toBeUndefined();
	expect(run('2026-11-25T10:00:00.000Z', 'failed')).toBeUndefined();
	expect(run('2026-11-25T10:05:00.000Z', 'success')).toBe(
		Date.parse('2026-11-25T10:05:00.000Z'),
	);
	expect(run('2026-11-25T10:10:00.000Z', 'timeout')).toBe(
		Date.parse('2026-11-25T10:05:00.000Z'),
	);
	expect(run('2026-11-25T10:15:00.000Z', 'skipped')).toBe(
		Date.parse('2026-11-25T10:05:00.000Z'),
	);
	expect(run('2026-11-25T10:20:00.000Z', 'halted')).toBe(
		Date.parse('2026-11-25T10:20:00.000Z'),
	);
});

test('the last success outlives the history: kept after 60 failures', () => {
	let {state} = recordExecution(
		emptyState,
		end({agent: 'bot', time: '2026-11-25T09:00:00.000Z'}),
		20,
	)!;
	for (let index = 0; index < 60; index++) {
		state = recordExecution(
			state,
			end({agent: 'bot', status: 'failed', time: '2026-11-25T10:00:00.000Z'}),
			20,
		)!.state;
	}

	const record = recordOf(state, 'bot');
	expect(record.history.some(execution => execution.ok)).toBe(false);
	expect(record.lastSuccess).toBe(Date.parse('2026-11-25T09:00:00.000Z'));
});

test("the agents' summaries, known before any cycle, are the metrics document's", () => {
	let state = emptyState;
	for (const status of ['success', 'failed', 'success'] as const) {
		state = recordExecution(state, end({agent: 'risk', status}), 20)!.state;
	}

	const health = {
		risk: {
			status: 'degraded' as const,
			successRate: 66.666,
			avgDurationS: 2,
			consecutiveFailures: 0,
			lastSuccess: undefined,
			lastFailure: undefined,
		},
	};
	const summaries = summarizeAgents(['risk', 'constructor'], state, health);
	expect(summaries).toEqual({
		risk: {
			executions: 3,
			successes: 2,
			failures: 1,
			success_rate: 66.67,
			avg_execution_time: 2,
			total_retries: 3,
			consecutive_failures: 0,
			last_execution: '2026-11-25T10:00:00.000Z',
			health_status: 'degraded',
		},
		constructor: {
			executions: 0,
			successes: 0,
			failures: 0,
			success_rate: 0,
			avg_execution_time: 0,
			total_retries: 0,
			consecutive_failures: 0,
			last_execution: null,
			health_status: 'unknown',
		},
	});
	const event = {
		type: 'cycle_end',
		time: '2026-11-25T10:00:05.000Z',
		cycle: 1,
		duration_s: 5,
		halted: false,
		results: {},
	} as const;
	expect(
		buildMetricsDocument({
			agents: ['risk', 'constructor'],
			phaseOf: new Map(),
			state: recordCycleEnd(state, event),
			event,
			health,
			entries: new Map(),
			cycleStart: undefined,
			haltReason: undefined,
			customMetrics: {},
			timestamp: '2026-11-25T10:00:06.000Z',
		}),
	).toMatchObject({
		agents: summaries,
		performance: {total_executions: 3, total_successes: 2, total_failures: 1},
	});
});
