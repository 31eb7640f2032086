import {expect, test} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {AgentRow} from '../../source/ui/agent-row.js';
import {renderWithStore} from '../helpers/render.js';

/* A scheduled agent that is not due says so on its row, with when it is next due (local HH:MM). */

/** Monday 2 November 2026, local time. */
const local = (hour: number, minute = 0) =>
	new Date(2026, 10, 2, hour, minute).toISOString();

const notDue = (nextDue: string | null): EngineEvent[] => [
	{type: 'cycle_start', time: local(13, 50), cycle: 2},
	{
		type: 'agent_not_due',
		time: local(13, 50),
		cycle: 2,
		agent: 'trading',
		next_due: nextDue,
	},
	{
		type: 'agent_end',
		time: local(13, 50),
		cycle: 2,
		agent: 'trading',
		status: 'not_due',
		duration_s: 0,
		attempts: 0,
		error: null,
	},
];

test('a not-due agent row: "not due · next 14:05", its own symbol, and no failure', () => {
	const {lastFrame} = renderWithStore(
		<AgentRow
			isSelected={false}
			name="trading"
			now={Date.parse(local(13, 50))}
			width={100}
		/>,
		{
			events: [
				{type: 'cycle_start', time: local(13), cycle: 1},
				{
					type: 'agent_start',
					time: local(13),
					cycle: 1,
					agent: 'trading',
					attempt: 1,
				},
				{
					type: 'agent_end',
					time: local(13),
					cycle: 1,
					agent: 'trading',
					status: 'success',
					duration_s: 4,
					attempts: 1,
					error: null,
				},
				...notDue(local(14, 5)),
			],
		},
	);
	const frame = lastFrame() ?? '';
	// Where the bar, time and attempt would be, before the health badge.
	expect(frame).toMatch(
		/^ {2}◷ trading +para on +not due · next 14:05 +unknown\s*$/v,
	);
	expect(frame).not.toContain('not_due');
	expect(frame).not.toMatch(/failed|skipped/v);
});

test('next due on another day is named by its week day', () => {
	const {lastFrame} = renderWithStore(
		<AgentRow
			isSelected
			name="trading"
			now={Date.parse(local(13, 50))}
			width={100}
		/>,
		{events: notDue(new Date(2026, 10, 3, 9, 0).toISOString())},
	);
	expect(lastFrame()).toContain('not due · next Tue 09:00');
});

test('a cron expression that never fires again: "not due" alone', () => {
	const {lastFrame} = renderWithStore(
		<AgentRow
			isSelected
			name="trading"
			now={Date.parse(local(13, 50))}
			width={100}
		/>,
		{events: notDue(null)},
	);
	expect(lastFrame()).toMatch(/◷ trading +para on +not due +unknown\s*$/v);
});

test('at 80 columns the whole "not due · next 14:05" fits, on one line', () => {
	const {lastFrame} = renderWithStore(
		<AgentRow
			isSelected={false}
			name="trading"
			now={Date.parse(local(13, 50))}
			width={80}
		/>,
		{events: notDue(local(14, 5))},
	);
	const frame = lastFrame() ?? '';
	expect(frame).toContain('not due · next 14:05');
	expect(frame.split('\n')).toHaveLength(1);
	expect(frame.trimEnd().length).toBeLessThanOrEqual(80);
});
