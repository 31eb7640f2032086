import {describe, expect, test} from 'vitest';
import {
	lineMatches,
	matchingLines,
	nextMatch,
	splitMatches,
} from '../../source/ui/log-search.js';

describe('log search', () => {
	test('lower-case queries ignore case; a capital makes the search exact (smartcase)', () => {
		expect(lineMatches('Order FILLED at 101', 'filled')).toBe(true);
		expect(lineMatches('Order FILLED at 101', 'Filled')).toBe(false);
		expect(lineMatches('Order FILLED at 101', 'FILLED')).toBe(true);
		expect(lineMatches('anything', '')).toBe(false);
	});

	test('matches are found in order, and next/previous wrap around the ends', () => {
		const lines = ['a error', 'b', 'c error', 'd', 'e ERROR'];
		const matches = matchingLines(lines, 'error');
		expect(matches).toEqual([0, 2, 4]);
		expect(nextMatch(matches, 0, 'next')).toBe(2);
		expect(nextMatch(matches, 4, 'next')).toBe(0);
		expect(nextMatch(matches, 3, 'previous')).toBe(2);
		expect(nextMatch(matches, 0, 'previous')).toBe(4);
		expect(nextMatch([], 0, 'next')).toBeUndefined();
	});

	test('a line is split around every match, for highlighting', () => {
		expect(splitMatches('fill, refill, FILL', 'fill')).toEqual([
			{text: 'fill', match: true},
			{text: ', re', match: false},
			{text: 'fill', match: true},
			{text: ', ', match: false},
			{text: 'FILL', match: true},
		]);
		expect(splitMatches('no hit', 'x')).toEqual([
			{text: 'no hit', match: false},
		]);
		expect(splitMatches('', 'x')).toEqual([{text: '', match: false}]);
	});
});
