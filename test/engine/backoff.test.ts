import {describe, expect, test} from 'vitest';
import {retryDelayMs} from '../../source/engine/backoff.js';

const maxTimerMs = 2 ** 31 - 1;

describe('retryDelayMs', () => {
	test('with the defaults (1 s × 2^k) retries wait 2 s, 4 s, 8 s', () => {
		const defaults = {backoffBaseSeconds: 1, backoffMultiplier: 2};
		expect([1, 2, 3].map(retry => retryDelayMs(defaults, retry))).toEqual([
			2000, 4000, 8000,
		]);
	});

	test('is base × multiplier^k seconds, in ms', () => {
		expect(
			retryDelayMs({backoffBaseSeconds: 0.5, backoffMultiplier: 3}, 2),
		).toBe(4500);
		expect(
			retryDelayMs({backoffBaseSeconds: 5, backoffMultiplier: 1}, 10),
		).toBe(5000);
	});

	test('a base of 0 retries at once', () => {
		expect(retryDelayMs({backoffBaseSeconds: 0, backoffMultiplier: 2}, 5)).toBe(
			0,
		);
	});

	test('a wait past what a timer can hold is capped at 2^31 − 1 ms, never wrapped to "at once"', () => {
		const orchestrator = {backoffBaseSeconds: 60, backoffMultiplier: 10};
		expect(retryDelayMs(orchestrator, 4)).toBe(600_000_000);
		expect(retryDelayMs(orchestrator, 5)).toBe(maxTimerMs);
		expect(retryDelayMs(orchestrator, 1000)).toBe(maxTimerMs);
	});

	test('an overflow to Infinity is still capped', () => {
		expect(
			retryDelayMs({backoffBaseSeconds: 1, backoffMultiplier: 1e10}, 400),
		).toBe(maxTimerMs);
	});
});
