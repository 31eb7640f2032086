import {describe, expect, test} from 'vitest';
import {
	escapeControls,
	escapeJsonText,
	escapeLogLine,
	escapeLogText,
} from '../../source/util/escape-text.js';
import {
	parseProtocolLine,
	protocolPrefix,
	untrustedProtocolLine,
} from '../../source/runner/parse-protocol-line.js';

/** Every character a terminal or a line splitter acts on, as the module defines them. */
const raw =
	// eslint-disable-next-line no-control-regex -- control characters are what it finds
	/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;

const hostile =
	'ok\n10:00:00 trading: ✓ success\u001B[2J\u001B[H\u001B]0;pwned\u0007\u0007\rX\u009B2J\u202Eevil\u2028';

describe('escapeControls', () => {
	test('text without control characters comes back as it is', () => {
		for (const text of [
			'',
			'VaR 3.1% within the 7% limit',
			String.raw`naïve ✓ 日本語 😀 C:\path\x1b`,
		]) {
			expect(escapeControls(text)).toBe(text);
		}
	});

	test.each([
		['\n', String.raw`\n`],
		['\r', String.raw`\r`],
		['\u0000', String.raw`\x00`],
		['\u0007', String.raw`\x07`],
		['\u001B', String.raw`\x1b`],
		['\u007F', String.raw`\x7f`],
		['\u0085', String.raw`\u0085`],
		['\u009B', String.raw`\u009b`],
		['\u2028', String.raw`\u2028`],
		['\u2029', String.raw`\u2029`],
		['\u202A', String.raw`\u202a`],
		['\u202E', String.raw`\u202e`],
		['\u2066', String.raw`\u2066`],
		['\u2069', String.raw`\u2069`],
		['\t', ' '],
	])('%j is shown as %s', (character, shown) => {
		expect(escapeControls(`a${character}b`)).toBe(`a${shown}b`);
	});

	test('a forged line, cursor moves, a title, a bell and an override are all shown, none raw', () => {
		const escaped = escapeControls(hostile);
		expect(escaped).toBe(
			String.raw`ok\n10:00:00 trading: ✓ success\x1b[2J\x1b[H\x1b]0;pwned\x07\x07\rX\u009b2J\u202eevil\u2028`,
		);
		expect(escaped).not.toMatch(raw);
	});

	test('colours are formatting, not content: removed', () => {
		expect(
			escapeControls('\u001B[1;31mred\u001B[0m and \u001B[38:2:1:2:3mtrue'),
		).toBe('red and true');
	});

	test('it is idempotent: escaping twice changes nothing more', () => {
		const once = escapeControls(hostile);
		expect(escapeControls(once)).toBe(once);
	});

	test('every code point that is a control is escaped; no other is touched', () => {
		for (let code = 0; code < 0x30_00; code++) {
			const character = String.fromCodePoint(code);
			const escaped = escapeControls(character);
			if (raw.test(character)) {
				expect(escaped).not.toMatch(raw);
				expect(escaped === ' ' || escaped.startsWith('\\')).toBe(true);
			} else {
				expect(escaped).toBe(character);
			}
		}
	});
});

describe('escapeLogText (log files)', () => {
	test('line ends and tabs stay, colours go, everything else is escaped', () => {
		const text = `a\tb\n\u001B[32mgreen\u001B[39m\n${hostile.replace('\n', ' ')}\n`;
		const escaped = escapeLogText(text);
		expect(escaped.split('\n')).toEqual([
			'a\tb',
			'green',
			String.raw`ok 10:00:00 trading: ✓ success\x1b[2J\x1b[H\x1b]0;pwned\x07\x07\rX\u009b2J\u202eevil\u2028`,
			'',
		]);
	});

	test('plain text comes back as it is', () => {
		const text = 'one\ttwo\nthree\n';
		expect(escapeLogText(text)).toBe(text);
	});
});

describe('escapeLogLine (the log view)', () => {
	test('colours stay (reset at the end), a tab is four spaces, the rest is escaped', () => {
		expect(
			escapeLogLine(
				'\u001B[31mred\u001B[39m\u001B[2J\u001B[H\tend\u0007\u009B2J',
			),
		).toBe(
			'\u001B[31mred\u001B[39m' +
				String.raw`\x1b[2J\x1b[H    end\x07\u009b2J` +
				'\u001B[0m',
		);
	});

	test('a line without colours gets no reset; a plain one comes back as it is', () => {
		expect(escapeLogLine('a\rb')).toBe(String.raw`a\rb`);
		expect(escapeLogLine('plain')).toBe('plain');
	});
});

describe('escapeJsonText (--json)', () => {
	test('DEL, C1, the separators and bidi controls are escaped, and it parses to the same value', () => {
		const value = {message: `${hostile}\u0085\u007F\u2029\u2066`};
		const json = escapeJsonText(JSON.stringify(value));
		expect(json).not.toMatch(raw);
		expect(json).toContain(String.raw`\u0085`);
		expect(json).toContain(String.raw`\u202e`);
		expect(JSON.parse(json)).toEqual(value);
	});

	test('JSON without them comes back as it is', () => {
		const json = JSON.stringify({message: 'plain ✓', path: String.raw`C:\x`});
		expect(escapeJsonText(json)).toBe(json);
	});
});

describe('at the boundary: what the runner reads from an agent', () => {
	test('messages and reasons come back escaped, then cut at 500 characters', () => {
		const read = (message: Record<string, unknown>) =>
			parseProtocolLine(`${protocolPrefix}${JSON.stringify(message)}`);
		expect(read({type: 'progress', message: hostile})).toEqual({
			type: 'progress',
			percent: null,
			message: escapeControls(hostile),
		});
		expect(read({type: 'alert', message: hostile})).toMatchObject({
			message: escapeControls(hostile),
		});
		expect(read({type: 'halt', reason: hostile})).toMatchObject({
			reason: escapeControls(hostile),
		});
		expect(read({type: 'pass', message: hostile})).toMatchObject({
			message: escapeControls(hostile),
		});
		const long = read({type: 'progress', message: '\u001B'.repeat(400)});
		expect(long?.type === 'progress' && long.message?.length).toBe(500);
	});

	test('a metric name with a control character is no metric', () => {
		expect(
			parseProtocolLine(
				`${protocolPrefix}${JSON.stringify({type: 'metric', name: 'a\u001B[2Jb', value: 1})}`,
			),
		).toBeUndefined();
	});

	test('an untrusted line is quoted with C1, bidi and separators escaped too', () => {
		const why = untrustedProtocolLine(
			'::MOONDEV::{"type":"halt","reason":"\u009B2J\u202E\u2028\u0007"}',
			'stdout',
		);
		expect(why).not.toMatch(raw);
		expect(why).toContain(String.raw`\u009b2J\u202e\u2028\u0007`);
	});
});
