import {expect, test} from 'vitest';
import {
	computeHealth,
	countsAs,
	type Execution,
} from '../../source/monitor/health.js';

/** A history from a string: "s" a success, "f" a failure, oldest first. */
function history(pattern: string): Execution[] {
	return [...pattern].map((mark, index) => ({
		time: index * 1000,
		ok: mark === 's',
		durationS: mark === 's' ? 2 : 9,
		retries: 0,
	}));
}

test.each([
	['', 20, 'unknown'],
	['s', 20, 'healthy'],
	['ssssssssssssssssssss', 20, 'healthy'],
	// 19 of 20 is 95 %: healthy, had the last one not failed.
	['fsssssssssssssssssss', 20, 'healthy'],
	['sssssssssssssssssssf', 20, 'degraded'],
	['ssssssssssssssssssff', 20, 'degraded'],
	['sssssssssssssssssfff', 20, 'unhealthy'],
	// 17 of 20 is 85 %, no streak: degraded.
	['fffsssssssssssssssss', 20, 'degraded'],
	// 15 of 20 is 75 %: unhealthy without a streak.
	['fsfsfsfsfsssssssssss', 20, 'unhealthy'],
	['f', 20, 'unhealthy'],
	// Only the window counts: old failures fall out of it.
	['ffffffffffssssss', 5, 'healthy'],
	['ffffffffffsssssf', 5, 'degraded'],
] as const)('%s over a window of %i is %s', (pattern, window, status) => {
	expect(computeHealth(history(pattern), window).status).toBe(status);
});

test('the figures: rate over the window, average of successful runs, streak, last times', () => {
	const health = computeHealth(history('ssfsff'), 4);
	expect(health).toEqual({
		status: 'unhealthy',
		successRate: 25,
		avgDurationS: 2,
		consecutiveFailures: 2,
		lastSuccess: 3000,
		lastFailure: 5000,
	});
});

test('what counts: a halt is a success, a timeout a failure, skips and cancels not at all', () => {
	expect(countsAs('halted')).toBe('success');
	expect(countsAs('timeout')).toBe('failure');
	expect(countsAs('failed')).toBe('failure');
	expect(countsAs('skipped')).toBeUndefined();
	expect(countsAs('disabled')).toBeUndefined();
	expect(countsAs('cancelled')).toBeUndefined();
});
