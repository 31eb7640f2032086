import {expect, test} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {createJsonPrinter} from '../../source/headless/json-printer.js';
import {createTextPrinter} from '../../source/headless/text-printer.js';

/** Monday 2 November 2026, local time. */
const local = (hour: number, minute = 0) =>
	new Date(2026, 10, 2, hour, minute).toISOString();

const events: EngineEvent[] = [
	{
		type: 'agent_not_due',
		time: local(13, 50),
		cycle: 2,
		agent: 'hourly',
		next_due: local(14, 5),
	},
	{
		type: 'agent_end',
		time: local(13, 50),
		cycle: 2,
		agent: 'hourly',
		status: 'not_due',
		duration_s: 0,
		attempts: 0,
		error: null,
	},
	{
		type: 'cycle_end',
		time: local(13, 50),
		cycle: 2,
		duration_s: 1,
		halted: false,
		results: {risk: 'success', hourly: 'not_due'},
	},
];

test('text: a not-due agent is one line with when it is next due', () => {
	const lines: string[] = [];
	const print = createTextPrinter({
		write(line) {
			lines.push(line);
		},
		maxAttempts: () => 1,
	});
	for (const event of events) {
		print(event);
	}

	expect(lines).toEqual([
		'13:50:00 hourly: ◷ not due · next 14:05',
		'13:50:00 ── cycle 2 done in 1.0s: 1 success, 1 not_due',
	]);
});

test('--json: agent_end with status not_due and the contract’s fields only; the internal event stays out', () => {
	const lines: string[] = [];
	const print = createJsonPrinter(line => {
		lines.push(line);
	});
	for (const event of events) {
		print(event);
	}

	const printed = lines.map(
		line => JSON.parse(line) as Record<string, unknown>,
	);
	expect(printed.map(event => event.type)).toEqual(['agent_end', 'cycle_end']);
	expect(Object.keys(printed[0]!).toSorted()).toEqual([
		'agent',
		'attempts',
		'cycle',
		'duration_s',
		'error',
		'status',
		'time',
		'type',
	]);
	expect(printed[0]).toMatchObject({
		status: 'not_due',
		attempts: 0,
		error: null,
	});
});
