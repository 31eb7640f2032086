import {describe, expect, test} from 'vitest';
import type {
	AgentWindow,
	ResolvedAgent,
} from '../../source/config/resolved-config.js';
import type {AgentStatus, HealthStatus} from '../../source/contract/events.js';
import {
	isInsideWindow,
	skipReason,
	type SkipContext,
} from '../../source/engine/skip-rules.js';

function agent(overrides: Partial<ResolvedAgent> = {}): ResolvedAgent {
	return {
		name: 'trading',
		command: ['node', 'trading.js'],
		enabled: true,
		critical: false,
		retries: 0,
		timeoutSeconds: undefined,
		env: {},
		cwd: '/tmp',
		description: undefined,
		dependsOn: [],
		when: undefined,
		schedule: undefined,
		requireHealthy: [],
		onFailure: 'continue',
		haltExitCode: undefined,
		requireVerdict: false,
		...overrides,
	};
}

/** Monday 2 November 2026, at this local hour and minute. */
const monday = (hour: number, minute = 0) =>
	new Date(2026, 10, 2, hour, minute).getTime();

function context(
	results: Record<string, AgentStatus> = {},
	options: {now?: number; health?: Record<string, HealthStatus>} = {},
): SkipContext {
	return {
		results: new Map(Object.entries(results)),
		now: options.now ?? monday(10),
		healthOf: name => options.health?.[name] ?? 'unknown',
	};
}

const window = (
	hours?: {from: number; to: number},
	days?: AgentWindow['days'],
): AgentWindow => ({hours, days});

describe('skipReason', () => {
	test('an agent with no rules runs', () => {
		expect(skipReason(agent(), context())).toBeUndefined();
	});

	test('dependsOn: a dependency that succeeded or halted lets it run', () => {
		const trading = agent({dependsOn: ['risk', 'data']});
		expect(
			skipReason(trading, context({risk: 'success', data: 'halted'})),
		).toBeUndefined();
	});

	test.each([
		['failed', 'needs risk to succeed (failed)'],
		['timeout', 'needs risk to succeed (timeout)'],
		['skipped', 'needs risk to succeed (skipped)'],
		['disabled', 'needs risk to succeed (disabled)'],
		['cancelled', 'needs risk to succeed (cancelled)'],
	] as const)(
		'dependsOn: a dependency that ended %s skips it',
		(status, reason) => {
			expect(
				skipReason(agent({dependsOn: ['risk']}), context({risk: status})),
			).toBe(reason);
		},
	);

	test('dependsOn: a dependency that has not run skips it', () => {
		expect(skipReason(agent({dependsOn: ['risk']}), context())).toBe(
			'needs risk to succeed (not run)',
		);
	});

	test('dependsOn: the first unmet dependency is named', () => {
		expect(
			skipReason(
				agent({dependsOn: ['data', 'risk', 'news']}),
				context({data: 'success', risk: 'failed'}),
			),
		).toBe('needs risk to succeed (failed)');
	});

	test('when: outside the hours skips it and says the window', () => {
		const trading = agent({when: window({from: 9, to: 16})});
		expect(skipReason(trading, context({}, {now: monday(10)}))).toBeUndefined();
		expect(skipReason(trading, context({}, {now: monday(17)}))).toBe(
			'outside its window (hours 9-16)',
		);
	});

	test('when: outside the days skips it and says both hours and days', () => {
		const trading = agent({when: window({from: 0, to: 23}, ['tue', 'wed'])});
		expect(skipReason(trading, context({}, {now: monday(10)}))).toBe(
			'outside its window (hours 0-23 tue,wed)',
		);
		expect(
			skipReason(agent({when: window(undefined, ['sat'])}), context()),
		).toBe('outside its window (sat)');
	});

	test('requireHealthy: only an unhealthy agent skips it', () => {
		const trading = agent({requireHealthy: ['risk']});
		for (const health of ['healthy', 'degraded', 'unknown'] as const) {
			expect(
				skipReason(trading, context({}, {health: {risk: health}})),
			).toBeUndefined();
		}

		expect(
			skipReason(trading, context({}, {health: {risk: 'unhealthy'}})),
		).toBe('needs risk healthy (unhealthy)');
	});

	test('the reasons are checked in order: dependsOn, then when, then requireHealthy', () => {
		const trading = agent({
			dependsOn: ['risk'],
			when: window({from: 9, to: 9}),
			requireHealthy: ['data'],
		});
		const health = {data: 'unhealthy'} as const;
		expect(
			skipReason(trading, context({risk: 'failed'}, {now: monday(20), health})),
		).toBe('needs risk to succeed (failed)');
		expect(
			skipReason(
				trading,
				context({risk: 'success'}, {now: monday(20), health}),
			),
		).toBe('outside its window (hours 9-9)');
		expect(
			skipReason(trading, context({risk: 'success'}, {now: monday(9), health})),
		).toBe('needs data healthy (unhealthy)');
	});
});

describe('isInsideWindow', () => {
	test('hours are inclusive: "9-16" is 9:00 to 16:59', () => {
		const hours = window({from: 9, to: 16});
		expect(isInsideWindow(hours, new Date(monday(8, 59)))).toBe(false);
		expect(isInsideWindow(hours, new Date(monday(9, 0)))).toBe(true);
		expect(isInsideWindow(hours, new Date(monday(16, 59)))).toBe(true);
		expect(isInsideWindow(hours, new Date(monday(17, 0)))).toBe(false);
	});

	test('"22-2" wraps midnight', () => {
		const night = window({from: 22, to: 2});
		for (const hour of [22, 23, 0, 1, 2]) {
			expect(isInsideWindow(night, new Date(monday(hour, 30)))).toBe(true);
		}

		for (const hour of [3, 12, 21]) {
			expect(isInsideWindow(night, new Date(monday(hour, 30)))).toBe(false);
		}
	});

	test('days are local week days', () => {
		const weekdays = window(undefined, ['mon', 'tue', 'wed', 'thu', 'fri']);
		expect(isInsideWindow(weekdays, new Date(2026, 10, 2, 12))).toBe(true); // Monday
		expect(isInsideWindow(weekdays, new Date(2026, 10, 1, 12))).toBe(false); // Sunday
		expect(isInsideWindow(weekdays, new Date(2026, 10, 7, 12))).toBe(false); // Saturday
		expect(
			isInsideWindow(window(undefined, ['sun']), new Date(2026, 10, 1, 0)),
		).toBe(true);
	});

	test('days and hours must both hold', () => {
		const mondayMornings = window({from: 6, to: 11}, ['mon']);
		expect(isInsideWindow(mondayMornings, new Date(monday(7)))).toBe(true);
		expect(isInsideWindow(mondayMornings, new Date(monday(12)))).toBe(false);
		expect(isInsideWindow(mondayMornings, new Date(2026, 10, 3, 7))).toBe(
			false,
		);
	});

	test('an empty window is always open', () => {
		expect(isInsideWindow(window(), new Date(monday(3)))).toBe(true);
	});
});
