import {describe, expect, test} from 'vitest';
import {
	type AgentColumns,
	agentColumns,
	columnLabels,
	columnWidth,
	minimumStatusWidth,
	notDueText,
	scheduleWidth,
} from '../../source/ui/columns.js';
import {minimumSize} from '../../source/ui/layout.js';

/** The columns a row takes before its status, as the row draws them. */
function fixed(columns: AgentColumns): number {
	return (
		columnWidth.lead +
		columnWidth.name +
		(columns.tag ? columnWidth.tag : 0) +
		(columns.onOff ? columnWidth.onOff : 0) +
		scheduleWidth(columns) +
		columns.healthWidth
	);
}

const widths = Array.from(
	{length: 200 - minimumSize.columns + 1},
	(_, index) => minimumSize.columns + index,
);

describe('the columns of the agents panel at a width', () => {
	test.each([
		// Width: tag, on/off, bar, time, attempt, health, status.
		[140, [true, true, 16, true, true, 20, 59]],
		[100, [true, true, 16, true, true, 20, 19]],
		[99, [true, true, 10, true, true, 15, 29]],
		[80, [true, true, 10, true, true, 15, 10]],
		[79, [true, true, 10, true, true, 15, 9]],
		[78, [false, true, 10, true, true, 15, 13]],
		[74, [false, true, 10, true, true, 15, 9]],
		[73, [false, false, 10, true, true, 15, 12]],
		[70, [false, false, 10, true, true, 15, 9]],
		[69, [false, false, 10, true, false, 15, 13]],
		[65, [false, false, 10, true, false, 15, 9]],
		[64, [false, false, 5, true, false, 15, 13]],
		[60, [false, false, 5, true, false, 15, 9]],
		// Below the minimum (the screen says it is too small), the time, then the bar.
		[59, [false, false, 5, false, false, 15, 16]],
		[51, [false, false, 0, false, false, 15, 18]],
	] as const)(
		'at %i: tag, on/off, bar, time, attempt, health and status are %j',
		(
			width,
			[tag, onOff, barWidth, time, attempt, healthWidth, statusWidth],
		) => {
			expect(agentColumns(width)).toEqual({
				tag,
				onOff,
				barWidth,
				time,
				attempt,
				healthWidth,
				healthAverage: width >= 100,
				statusWidth,
			});
		},
	);

	test('from the minimum width up, a row fills the width but its last column, and the status has room for its word', () => {
		for (const width of widths) {
			const columns = agentColumns(width);
			expect(fixed(columns) + columns.statusWidth).toBe(width - 1);
			expect(columns.statusWidth).toBeGreaterThanOrEqual(minimumStatusWidth);
			expect('cancelled'.length).toBeLessThanOrEqual(minimumStatusWidth);
		}
	});

	test('a column that shows at a width shows at every wider one: the order is fixed', () => {
		for (const width of widths.slice(1)) {
			const wider = agentColumns(width);
			const narrower = agentColumns(width - 1);
			for (const key of ['tag', 'onOff', 'time', 'attempt'] as const) {
				expect(!narrower[key] || wider[key], `${key} at ${width}`).toBe(true);
			}

			expect(wider.barWidth).toBeGreaterThanOrEqual(narrower.barWidth);
			expect(wider.healthWidth).toBeGreaterThanOrEqual(narrower.healthWidth);
		}
	});

	test('the labels stand where their columns start and are never wider than the row', () => {
		expect(columnLabels(agentColumns(100))).toBe(
			'    AGENT        TAG  ON  PROGRESS              TIME   TRY  HEALTH              STATUS',
		);
		expect(columnLabels(agentColumns(80))).toBe(
			'    AGENT        TAG  ON  PROGRESS        TIME   TRY  HEALTH         STATUS',
		);
		expect(columnLabels(agentColumns(60))).toBe(
			'    AGENT        PROGRESS   TIME   HEALTH         STATUS',
		);
		for (const width of widths) {
			expect(
				columnLabels(agentColumns(width), {above: 12, below: 30}).length,
			).toBeLessThan(width);
		}
	});

	test('when not every agent has a row, the name’s label counts those above and below', () => {
		const columns = agentColumns(60);
		expect(columnLabels(columns, {above: 2, below: 3})).toMatch(
			/^ {4}AGENT ↑2 ↓3 +PROGRESS/v,
		);
		expect(columnLabels(columns, {above: 0, below: 4})).toMatch(
			/^ {4}AGENT ↓4 +PROGRESS/v,
		);
		// Too many to count in the column: cut, and the next label stays in its place.
		expect(columnLabels(columns, {above: 1234, below: 5678})).toMatch(
			/^ {4}AGENT ↑1234… PROGRESS/v,
		);
	});
});

describe('"not due" where the bar, the time and the attempt would be', () => {
	test.each([
		[34, '14:05', 'not due · next 14:05'],
		[28, 'Wed 14:05', 'not due · next Wed 14:05'],
		[18, '14:05', 'not due · 14:05'],
		[18, 'Wed 14:05', 'not due'],
		[18, undefined, 'not due'],
	] as const)('in %i columns, next %s: %s', (width, next, text) => {
		expect(notDueText(next, width)).toBe(text);
		expect(text.length).toBeLessThanOrEqual(width);
	});

	test('from the minimum width up, the bar, time and attempt have room for at least "not due · 14:05"', () => {
		for (const width of widths) {
			expect(scheduleWidth(agentColumns(width))).toBeGreaterThanOrEqual(
				'not due · 14:05'.length,
			);
		}
	});
});
