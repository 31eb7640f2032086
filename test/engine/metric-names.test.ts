import {describe, expect, test} from 'vitest';
import {
	createMetricNames,
	maxMetricNames,
} from '../../source/engine/metric-names.js';

describe('createMetricNames', () => {
	test('admits up to the cap of distinct names per agent, then refuses new ones', () => {
		const names = createMetricNames(3);
		expect(['a', 'b', 'c'].map(name => names.admit('risk', name))).toEqual([
			true,
			true,
			true,
		]);
		expect(names.admit('risk', 'd')).toBe(false);
		expect(names.admit('risk', 'e')).toBe(false);
	});

	test('a name already known is always admitted, past the cap too', () => {
		const names = createMetricNames(2);
		names.admit('risk', 'var');
		names.admit('risk', 'pnl');
		expect(names.admit('risk', 'new')).toBe(false);
		for (let index = 0; index < 5; index++) {
			expect(names.admit('risk', 'var')).toBe(true);
			expect(names.admit('risk', 'pnl')).toBe(true);
		}
	});

	test('a refused name takes no room: it stays refused', () => {
		const names = createMetricNames(1);
		names.admit('risk', 'a');
		expect(names.admit('risk', 'b')).toBe(false);
		expect(names.admit('risk', 'b')).toBe(false);
	});

	test('the cap is per agent', () => {
		const names = createMetricNames(1);
		expect(names.admit('risk', 'x')).toBe(true);
		expect(names.admit('risk', 'y')).toBe(false);
		expect(names.admit('trading', 'y')).toBe(true);
		expect(names.admit('trading', 'x')).toBe(false);
	});

	test(`the default cap is ${maxMetricNames}`, () => {
		const names = createMetricNames();
		for (let index = 0; index < maxMetricNames; index++) {
			expect(names.admit('risk', `m${index}`)).toBe(true);
		}

		expect(names.admit('risk', 'one-too-many')).toBe(false);
		expect(names.admit('risk', 'm0')).toBe(true);
	});

	test('firstRefusal is true once per agent, so the refusal is said once', () => {
		const names = createMetricNames(1);
		expect(names.firstRefusal('risk')).toBe(true);
		expect(names.firstRefusal('risk')).toBe(false);
		expect(names.firstRefusal('risk')).toBe(false);
		expect(names.firstRefusal('trading')).toBe(true);
		expect(names.firstRefusal('trading')).toBe(false);
	});

	test('names that look like object keys are just names', () => {
		const names = createMetricNames(2);
		expect(names.admit('constructor', '__proto__')).toBe(true);
		expect(names.admit('constructor', 'toString')).toBe(true);
		expect(names.admit('constructor', 'hasOwnProperty')).toBe(false);
		expect(names.admit('__proto__', 'x')).toBe(true);
	});
});
