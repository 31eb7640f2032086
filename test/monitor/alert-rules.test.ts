import {describe, expect, test} from 'vitest';
import {
	failedAfterRetriesAlert,
	healthAlerts,
	slowCycleAlert,
	slowCycleMinimumS,
	unhealthyStreakAlert,
} from '../../source/monitor/alert-rules.js';
import type {Health} from '../../source/monitor/health.js';

/* The alert rules alone: no clock, no file, no bus. */

const health = (extra: Partial<Health>): Health => ({
	status: 'healthy',
	successRate: 100,
	avgDurationS: 1,
	consecutiveFailures: 0,
	lastSuccess: undefined,
	lastFailure: undefined,
	...extra,
});

describe('health alerts', () => {
	test('became unhealthy: critical for a critical agent, a warning for another', () => {
		const before = health({});
		const after = health({
			status: 'unhealthy',
			successRate: 0,
			consecutiveFailures: 1,
		});
		expect(healthAlerts('risk', before, after, true)[0]).toEqual({
			level: 'critical',
			message: 'risk became unhealthy (success 0.0%, 1 failure in a row)',
			agent: 'risk',
		});
		expect(healthAlerts('news', before, after, false)[0]?.level).toBe(
			'warning',
		);
	});

	test('each when it starts, not while it lasts', () => {
		const unhealthy = health({
			status: 'unhealthy',
			successRate: 70,
			consecutiveFailures: 6,
		});
		expect(healthAlerts('bot', unhealthy, unhealthy, false)).toEqual([]);
	});

	test('success rate under 80 % once it falls under; 5 failures in a row when reached', () => {
		const messages = healthAlerts(
			'bot',
			health({status: 'degraded', successRate: 85, consecutiveFailures: 4}),
			health({status: 'unhealthy', successRate: 75, consecutiveFailures: 5}),
			false,
		).map(alert => alert.message);
		expect(messages).toEqual([
			'bot became unhealthy (success 75.0%, 5 failures in a row)',
			'bot success rate fell to 75.0% (under 80%)',
			'bot failed 5 times in a row',
		]);
	});
});

test('failed after its retries: a failure, or a timeout after more than one attempt', () => {
	const end = {
		type: 'agent_end',
		time: '2026-11-25T00:00:00Z',
		cycle: 1,
		agent: 'news',
		duration_s: 3,
		attempts: 2,
		error: 'exit code 1',
	} as const;
	expect(failedAfterRetriesAlert({...end, status: 'failed'}, false)).toEqual({
		level: 'warning',
		message: 'news failed after 2 attempts: exit code 1',
		agent: 'news',
	});
	expect(
		failedAfterRetriesAlert({...end, status: 'timeout', attempts: 1}, false),
	).toBeUndefined();
	expect(failedAfterRetriesAlert({...end, status: 'success'}, true)).toBe(
		undefined,
	);
});

describe('slow cycles', () => {
	test('over twice the average of at least 3 cycles, and long enough to matter', () => {
		expect(slowCycleAlert(5, 61, [10, 30, 10, 30])?.message).toBe(
			'cycle 5 took 61.0s, over twice the average 20.0s',
		);
		expect(slowCycleAlert(3, 61, [10, 30])).toBeUndefined();
		expect(slowCycleAlert(5, 40, [10, 30, 10, 30])).toBeUndefined();
		expect(
			slowCycleAlert(5, slowCycleMinimumS - 0.1, [0.1, 0.1, 0.1]),
		).toBeUndefined();
	});
});

test('unhealthy for 3 cycles in a row: said at the third, not after', () => {
	expect(unhealthyStreakAlert('bot', 2)).toBeUndefined();
	expect(unhealthyStreakAlert('bot', 3)?.level).toBe('critical');
	expect(unhealthyStreakAlert('bot', 4)).toBeUndefined();
});
