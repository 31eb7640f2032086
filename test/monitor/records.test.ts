import {expect, test} from 'vitest';
import type {AgentEndEvent} from '../../source/contract/events.js';
import {buildMetricsDocument} from '../../source/monitor/metrics-document.js';
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
