import {describe, expect, test} from 'vitest';
import {ConfigError} from '../../source/config/config-error.js';
import {
	type AgentSchedule,
	cronProblem,
	dueState,
	nextFireAfter,
} from '../../source/config/schedule.js';
import {buildConfig} from '../helpers/index.js';

function errorOf(action: () => unknown): string {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return (error as Error).message;
	}

	throw new Error('expected a ConfigError');
}

const withAgent = (agent: Record<string, unknown>) => ({
	agents: {risk: {command: 'true', critical: true}, news: agent},
});

describe('every and cron in the config', () => {
	test('every resolves to seconds, cron to its fields, neither to no schedule', () => {
		const config = buildConfig({
			agents: {
				a: {command: 'true', every: '30s'},
				b: {command: 'true', every: '5m'},
				c: {command: 'true', every: '1h'},
				d: {command: 'true', every: '1d'},
				e: {command: 'true', cron: '  5 14 * *   mon-fri '},
				f: {command: 'true'},
			},
		});
		expect(config.agents.map(agent => agent.schedule)).toEqual([
			{kind: 'every', text: '30s', seconds: 30},
			{kind: 'every', text: '5m', seconds: 300},
			{kind: 'every', text: '1h', seconds: 3600},
			{kind: 'every', text: '1d', seconds: 86_400},
			{kind: 'cron', text: '5 14 * * mon-fri'},
			undefined,
		]);
	});

	test.each([
		['0s', 'a positive whole number and a unit'],
		['-5m', 'a positive whole number and a unit'],
		['1.5h', 'a positive whole number and a unit'],
		['5', 'a positive whole number and a unit'],
		['1w', 'a positive whole number and a unit'],
		['25d', 'at most 2147483 seconds (24.8 days)'],
	])('every %j is a config error naming the key', (every, message) => {
		const error = errorOf(() =>
			buildConfig(withAgent({command: 'true', every})),
		);
		expect(error).toContain('agents.news.every: expected');
		expect(error).toContain(message);
		expect(error).toContain(JSON.stringify(every));
	});

	test('every must be a string', () => {
		expect(
			errorOf(() => buildConfig(withAgent({command: 'true', every: 60}))),
		).toContain('agents.news.every: expected a duration such as "30s"');
	});

	test.each([
		['0 25 * * *', 'hour "25": Invalid value for hour: 25'],
		['61 * * * *', 'minute "61": Invalid value for minute: 61'],
		['* * * * 8', 'day of week "8": Invalid value for dayOfWeek: 8'],
		['x * * * *', 'minute "x": contains illegal characters'],
		[
			'0 9 * * 1-5 *',
			'expected 5 fields (minute hour day-of-month month day-of-week), got 6',
		],
		['@hourly', 'expected 5 fields'],
		['10:00 * * * *', 'minute "10:00": contains illegal characters'],
		['0 0 31 4 *', 'it never fires (no date matches it)'],
	])(
		'cron %j is a config error naming agents.<name>.cron and what is wrong',
		(cron, problem) => {
			expect(
				errorOf(() => buildConfig(withAgent({command: 'true', cron}))),
			).toContain(`agents.news.cron: ${JSON.stringify(cron)}: ${problem}`);
		},
	);

	test('every and cron together are a config error', () => {
		expect(
			errorOf(() =>
				buildConfig(
					withAgent({command: 'true', every: '1h', cron: '0 * * * *'}),
				),
			),
		).toContain('agents.news.cron: every and cron both set');
	});

	test.each([
		['every', '1h'],
		['cron', '0 * * * *'],
	])(
		'%s on a critical agent is a config error naming the key (fail closed)',
		(key, value) => {
			const error = errorOf(() =>
				buildConfig({
					agents: {risk: {command: 'true', critical: true, [key]: value}},
				}),
			);
			expect(error).toContain(
				`agents.risk.${key}: a critical agent cannot have a schedule: the risk check runs in every cycle that may trade`,
			);
		},
	);

	test('an unknown key near them is hinted', () => {
		expect(
			errorOf(() => buildConfig(withAgent({command: 'true', evry: '1h'}))),
		).toContain('agents.news.evry: unknown key (did you mean "every"?)');
	});
});

describe('cronProblem', () => {
	test('accepts the usual forms: steps, ranges, lists, names', () => {
		for (const expression of [
			'*/5 * * * *',
			'0 9-16 * * 1-5',
			'0,30 * * * *',
			'0 9 * * mon-fri',
			'0 0 1 jan *',
			'0 0 29 2 *',
		]) {
			expect(cronProblem(expression)).toBeUndefined();
		}
	});
});

/** Monday 2 November 2026, local time. */
const local = (hour: number, minute = 0, second = 0, day = 2) =>
	new Date(2026, 10, day, hour, minute, second).getTime();

describe('due rules', () => {
	const hourly: AgentSchedule = {kind: 'every', text: '1h', seconds: 3600};

	test('never started is due', () => {
		expect(dueState(hourly, undefined, local(10))).toEqual({
			due: true,
			next: undefined,
		});
		expect(
			dueState({kind: 'cron', text: '0 9 * * *'}, undefined, local(10)),
		).toEqual({due: true, next: undefined});
	});

	test('every: due once last start + every <= now, and next is that time', () => {
		const start = local(10, 0, 5);
		expect(dueState(hourly, start, local(10, 15))).toEqual({
			due: false,
			next: local(11, 0, 5),
		});
		expect(dueState(hourly, start, local(11, 0, 4))).toEqual({
			due: false,
			next: local(11, 0, 5),
		});
		expect(dueState(hourly, start, local(11, 0, 5)).due).toBe(true);
		expect(dueState(hourly, start, local(13)).due).toBe(true);
	});

	test('cron: due once its next fire time after the last start has passed (local time)', () => {
		const everyHour: AgentSchedule = {kind: 'cron', text: '0 * * * *'};
		// Started at 10:00:05: the next fire is 11:00, not 10:00 (strictly after the start).
		const start = local(10, 0, 5);
		expect(nextFireAfter(everyHour, start)).toBe(local(11));
		expect(dueState(everyHour, start, local(10, 59, 59))).toEqual({
			due: false,
			next: local(11),
		});
		expect(dueState(everyHour, start, local(11)).due).toBe(true);

		// 14:05 on weekdays: started Friday at 14:05, next due Monday 14:05.
		const weekdays: AgentSchedule = {kind: 'cron', text: '5 14 * * 1-5'};
		const friday = new Date(2026, 10, 6, 14, 5, 1).getTime();
		expect(
			dueState(weekdays, friday, new Date(2026, 10, 8, 12).getTime()),
		).toEqual({
			due: false,
			next: new Date(2026, 10, 9, 14, 5).getTime(),
		});
		expect(
			dueState(weekdays, friday, new Date(2026, 10, 9, 14, 5).getTime()).due,
		).toBe(true);
	});

	test('a fire time missed while nothing ran makes it due once, not once per missed time', () => {
		const everyFive: AgentSchedule = {kind: 'cron', text: '*/5 * * * *'};
		const start = local(10, 1);
		expect(dueState(everyFive, start, local(12)).due).toBe(true);
		// Having run at 12:00:00, the next is 12:05.
		expect(dueState(everyFive, local(12), local(12, 3))).toEqual({
			due: false,
			next: local(12, 5),
		});
	});

	test('a last start after now (a clock set back) is due rather than waiting for it', () => {
		expect(dueState(hourly, local(12), local(10)).due).toBe(true);
	});
});
