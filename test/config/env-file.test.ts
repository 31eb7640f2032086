import {describe, expect, test} from 'vitest';
import {
	readEnvFileContents,
	unpassableVariable,
} from '../../source/config/env-file.js';

const read = (text: string) =>
	readEnvFileContents(new TextEncoder().encode(text));

describe('readEnvFileContents', () => {
	test('reads variables as dotenv does: quotes, comments, `export`, `KEY: value`', () => {
		const contents = read(
			[
				'# a comment',
				'  # an indented comment',
				'',
				'API_KEY=abc123',
				'export SECRET="s3 cr3t" # trailing comment',
				"SINGLE='quoted #not-a-comment'",
				'COLON: value',
				'EMPTY=',
				'dotted.name-x=1',
			].join('\n'),
		);
		expect(contents).toEqual({
			variables: {
				API_KEY: 'abc123',
				SECRET: 's3 cr3t',
				SINGLE: 'quoted #not-a-comment',
				COLON: 'value',
				EMPTY: '',
				'dotted.name-x': '1',
			},
			ignoredLines: [],
			notUtf8: false,
		});
	});

	test('an empty file holds nothing and ignores nothing', () => {
		expect(read('')).toEqual({variables: {}, ignoredLines: [], notUtf8: false});
		expect(read('\n\n   \n\t\n')).toEqual({
			variables: {},
			ignoredLines: [],
			notUtf8: false,
		});
	});

	test('lines dotenv passes over without a word are named by their 1-based numbers', () => {
		const contents = read(
			['A=1', 'API_KEY abc', '# fine', 'B=2', 'just words', 'export'].join(
				'\n',
			),
		);
		expect(contents.variables).toEqual({A: '1', B: '2'});
		expect(contents.ignoredLines).toEqual([2, 5, 6]);
	});

	test('the lines inside a multi-line quoted value are part of it, not ignored', () => {
		const contents = read(
			[
				'A=1',
				'MULTI="first',
				'second line without an equals sign',
				'third"',
				'API_KEY abc',
				'export B=2',
			].join('\n'),
		);
		expect(contents.variables).toEqual({
			A: '1',
			MULTI: 'first\nsecond line without an equals sign\nthird',
			B: '2',
		});
		expect(contents.ignoredLines).toEqual([5]);
	});

	test('line numbers count CRLF and lone CR line ends as one line each', () => {
		expect(read('A=1\r\njunk\r\nB=2\r\n')).toEqual({
			variables: {A: '1', B: '2'},
			ignoredLines: [2],
			notUtf8: false,
		});
		expect(read('A=1\rjunk\rB=2')).toEqual({
			variables: {A: '1', B: '2'},
			ignoredLines: [2],
			notUtf8: false,
		});
	});

	test('bytes that are not UTF-8 are flagged, and the rest is still read', () => {
		// A=<0xff>\nB=2\n
		const contents = readEnvFileContents(
			new Uint8Array([0x41, 0x3d, 0xff, 0x0a, 0x42, 0x3d, 0x32, 0x0a]),
		);
		expect(contents.notUtf8).toBe(true);
		expect(contents.variables).toEqual({A: '\uFFFD', B: '2'});
		expect(contents.ignoredLines).toEqual([]);
	});

	test('valid multi-byte UTF-8 is not flagged', () => {
		const contents = read('NAME=naïve ✓ 日本語 😀\n');
		expect(contents.notUtf8).toBe(false);
		expect(contents.variables).toEqual({NAME: 'naïve ✓ 日本語 😀'});
	});

	test('a NUL byte in a value is read as it is, for unpassableVariable to catch', () => {
		const contents = read('A=x\0y\n');
		expect(contents.variables).toEqual({A: 'x\0y'});
		expect(unpassableVariable('A', contents.variables.A!)).toMatch(/NUL/v);
	});
});

describe('unpassableVariable', () => {
	test('an ordinary name and value pass', () => {
		expect(unpassableVariable('API_KEY', 'abc')).toBeUndefined();
		expect(unpassableVariable('EMPTY', '')).toBeUndefined();
		expect(unpassableVariable('X', 'a=b c\nd')).toBeUndefined();
	});

	test.each(['', 'A=B', 'A\0B', '\0'])(
		'the name %j is not one an environment can hold',
		name => {
			expect(unpassableVariable(name, 'value')).toBe(
				'not a name a process environment can hold',
			);
		},
	);

	test('a value with a NUL byte cannot be passed, and the value is never quoted', () => {
		const reason = unpassableVariable('API_KEY', 'sk-secret\0tail');
		expect(reason).toBe(
			'the value cannot be passed to a process (it holds a NUL byte)',
		);
		expect(reason).not.toContain('sk-secret');
	});
});
