import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {
	formatClock,
	formatDateTime,
	formatDuration,
	plural,
} from '../../source/util/format.js';

type Skip = (note?: string) => never;

/**
Runs `action` in this time zone (its UTC offset in November 2026, as getTimezoneOffset gives it),
then puts the one before back. Where the zone cannot be changed at run time (a worker thread
keeps its own copy of the environment), the test is skipped rather than failed.
*/
function inTimeZone(
	zone: string,
	offsetMinutes: number,
	skip: Skip,
	action: () => void,
): void {
	const before = process.env.TZ;
	process.env.TZ = zone;
	try {
		if (new Date(2026, 10, 24).getTimezoneOffset() !== offsetMinutes) {
			skip(`the time zone cannot be set to ${zone} here`);
		}

		action();
	} finally {
		if (before === undefined) {
			delete process.env.TZ;
		} else {
			process.env.TZ = before;
		}
	}
}

describe('formatDuration', () => {
	test.each([
		[0, '0.0s'],
		[49, '0.0s'],
		[50, '0.1s'],
		[999, '1.0s'],
		[4200, '4.2s'],
		[59_900, '59.9s'],
	])('under a minute, seconds to a tenth: %i ms is %s', (ms, text) => {
		expect(formatDuration(ms)).toBe(text);
	});

	test.each([
		[60_000, '1m 00s'],
		[65_000, '1m 05s'],
		[125_400, '2m 05s'],
		[125_500, '2m 06s'],
		[600_000, '10m 00s'],
		[3_599_000, '59m 59s'],
	])('under an hour, minutes and whole seconds: %i ms is %s', (ms, text) => {
		expect(formatDuration(ms)).toBe(text);
	});

	test.each([
		[3_599_500, '1h 00m'],
		[3_600_000, '1h 00m'],
		[7_380_000, '2h 03m'],
		// The seconds are dropped, not rounded into the minutes.
		[7_439_000, '2h 03m'],
		[360_000_000, '100h 00m'],
	])('an hour or more, hours and minutes: %i ms is %s', (ms, text) => {
		expect(formatDuration(ms)).toBe(text);
	});

	test.each([
		[59_949, '59.9s'],
		[59_950, '1m 00s'],
		[59_999, '1m 00s'],
	])('just under a minute never reads "60.0s": %i ms is %s', (ms, text) => {
		expect(formatDuration(ms)).toBe(text);
	});
});

describe('formatClock', () => {
	test('hours, minutes and seconds, two digits each', () => {
		expect(formatClock(new Date(2026, 10, 24, 14, 3, 7))).toBe('14:03:07');
		expect(formatClock(new Date(2026, 0, 1, 0, 0, 0))).toBe('00:00:00');
		expect(formatClock(new Date(2026, 0, 1, 23, 59, 59, 999))).toBe('23:59:59');
	});

	test('takes a time in ms, an ISO string or a Date alike', () => {
		const date = new Date(2026, 10, 24, 9, 5, 1);
		expect(formatClock(date.getTime())).toBe('09:05:01');
		expect(formatClock(date.toISOString())).toBe('09:05:01');
		expect(formatClock(date)).toBe('09:05:01');
	});

	test('in local time, not UTC', ({skip}) => {
		inTimeZone('Asia/Kathmandu', -345, skip, () => {
			expect(formatClock('2026-11-24T00:00:00.000Z')).toBe('05:45:00');
		});
		inTimeZone('America/New_York', 300, skip, () => {
			expect(formatClock('2026-11-24T00:00:00.000Z')).toBe('19:00:00');
		});
	});
});

describe('formatDateTime', () => {
	test('the day, then the clock, zero-padded', () => {
		expect(formatDateTime(new Date(2026, 10, 24, 14, 3, 7))).toBe(
			'2026-11-24 14:03:07',
		);
		expect(formatDateTime(new Date(2026, 0, 5, 4, 3, 2))).toBe(
			'2026-01-05 04:03:02',
		);
	});

	test('takes a time in ms, an ISO string or a Date alike', () => {
		const date = new Date(2026, 11, 31, 23, 59, 58);
		expect(formatDateTime(date.getTime())).toBe('2026-12-31 23:59:58');
		expect(formatDateTime(date.toISOString())).toBe('2026-12-31 23:59:58');
		expect(formatDateTime(date)).toBe('2026-12-31 23:59:58');
	});

	test('in local time: the day may differ from the UTC one', ({skip}) => {
		inTimeZone('America/New_York', 300, skip, () => {
			expect(formatDateTime('2026-11-24T02:30:00.000Z')).toBe(
				'2026-11-23 21:30:00',
			);
		});
		inTimeZone('Asia/Tokyo', -540, skip, () => {
			expect(formatDateTime('2026-12-31T20:00:00.000Z')).toBe(
				'2027-01-01 05:00:00',
			);
		});
	});
});

describe('plural', () => {
	test('one is singular, every other count plural', () => {
		expect(plural(1, 'attempt')).toBe('1 attempt');
		expect(plural(0, 'attempt')).toBe('0 attempts');
		expect(plural(2, 'attempt')).toBe('2 attempts');
		expect(plural(1000, 'line')).toBe('1000 lines');
	});
});
