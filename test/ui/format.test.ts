import {expect, test} from 'vitest';
import {columnsOf, fit} from '../../source/ui/format.js';

test.each([
	['risk', 6, 'risk  '],
	['risk', 4, 'risk'],
	['whale-watcher', 12, 'whale-watch…'],
	['whale-watcher', 1, '…'],
	['whale-watcher', 0, ''],
	['', 3, '   '],
	// A character outside the BMP is one character: never cut in half, counted once.
	['📈 up 3%', 4, '📈 u…'],
	['📈 up', 6, '📈 up  '],
	['█▒░ ~38%', 8, '█▒░ ~38%'],
])('fit(%j, %i) is %j', (text, width, fitted) => {
	expect(fit(text, width)).toBe(fitted);
	expect(columnsOf(fitted)).toBe(width);
});
