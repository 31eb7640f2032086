import {describe, expect, test} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {createJsonPrinter} from '../../source/headless/json-printer.js';
import {createTextPrinter} from '../../source/headless/text-printer.js';

/*
The printers escape whatever an event carries, wherever it came from: the runner escapes an
agent's words already, but an error can also quote a path, a command or a library's message.
*/

const raw =
	// eslint-disable-next-line no-control-regex -- control characters are what it finds
	/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;
const time = '2026-11-02T10:00:00.000Z';
const nasty =
	'x\n10:00:00 trading: ✓ success\u001B]0;pwned\u0007\r\u009B2J\u202E\u2028\u0085';

const events: EngineEvent[] = [
	{
		type: 'agent_progress',
		time,
		cycle: 1,
		agent: 'trading',
		percent: 10,
		message: nasty,
	},
	{type: 'alert', time, level: 'warning', message: nasty, agent: 'trading'},
	{type: 'halt', time, cycle: 1, agent: 'risk', reason: nasty},
	{
		type: 'agent_retry',
		time,
		cycle: 1,
		agent: 'trading',
		attempt: 2,
		delay_s: 1,
		error: nasty,
	},
	{
		type: 'agent_end',
		time,
		cycle: 1,
		agent: 'trading',
		status: 'failed',
		duration_s: 1,
		attempts: 1,
		error: nasty,
	},
	{type: 'metrics_exported', time, cycle: 1, path: `/tmp/${nasty}`},
	{type: 'engine_stop', time, reason: 'error', error: nasty},
];

describe('text', () => {
	test('one line per event, whatever it quotes, with no raw control character', () => {
		const lines: string[] = [];
		const print = createTextPrinter({
			write(line) {
				lines.push(line);
			},
			maxAttempts: () => 2,
		});
		for (const event of events) {
			print(event);
		}

		expect(lines).toHaveLength(events.length);
		for (const line of lines) {
			expect(line).not.toMatch(raw);
			expect(line).toMatch(/^\d\d:\d\d:\d\d \S/v);
			expect(line).toContain(
				String.raw`x\n10:00:00 trading: ✓ success\x1b]0;pwned\x07\r\u009b2J\u202e\u2028\u0085`,
			);
		}
	});
});

describe('--json', () => {
	test('each event is one line of JSON, with C1, DEL and the separators escaped, parsing to the event', () => {
		const lines: string[] = [];
		const print = createJsonPrinter(line => {
			lines.push(line);
		});
		for (const event of events) {
			print(event);
		}

		expect(lines).toHaveLength(events.length);
		for (const [index, line] of lines.entries()) {
			expect(line).not.toMatch(raw);
			expect(JSON.parse(line)).toEqual(events[index]);
		}

		expect(lines[0]).toContain(String.raw`\u009b2J\u202e\u2028\u0085`);
	});
});
