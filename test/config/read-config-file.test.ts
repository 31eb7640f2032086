import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {ConfigError} from '../../source/config/config-error.js';
import {
	describeFsError,
	readBoundedFile,
	readConfigJson,
} from '../../source/config/read-config-file.js';
import {temporaryDirectory} from '../helpers/index.js';

function writeConfig(text: string | Uint8Array): string {
	const file = path.join(temporaryDirectory(), 'moondev.json');
	writeFileSync(file, text);
	return file;
}

function errorOf(read: () => unknown): Error {
	try {
		read();
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return error as Error;
	}

	throw new Error('expected a ConfigError');
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('readConfigJson', () => {
	test('reads a config file as JSON', () => {
		const file = writeConfig(
			'{"agents": {"risk": {"command": "python r.py"}}}',
		);
		expect(readConfigJson(file, 'moondev.json')).toEqual({
			agents: {risk: {command: 'python r.py'}},
		});
	});

	test('invalid JSON says the line, the column and what was expected, under the display name', () => {
		const file = writeConfig('{\n  "a": 1,\n  "b": \n}');
		expect(errorOf(() => readConfigJson(file, 'my.json')).message).toBe(
			'my.json: invalid JSON: line 4, column 1: value expected',
		);
	});

	test('comments and trailing commas are not JSON', () => {
		expect(
			errorOf(() => readConfigJson(writeConfig('{\n// no\n"a": 1}'), 'c.json'))
				.message,
		).toMatch(/^c\.json: invalid JSON: line 2, column 1: /v);
		expect(
			errorOf(() => readConfigJson(writeConfig('{"a": 1,}'), 'c.json')).message,
		).toMatch(/^c\.json: invalid JSON: line 1, column 9: /v);
	});

	test('an empty file is invalid JSON, not a crash', () => {
		expect(
			errorOf(() => readConfigJson(writeConfig(''), 'c.json')).message,
		).toMatch(/^c\.json: invalid JSON: /v);
	});

	test('nesting up to 64 levels is read; deeper is refused with the line', () => {
		expect(readConfigJson(writeConfig(nested(64)), 'c.json')).toBeDefined();
		const file = writeConfig(`{\n"a":\n${nested(65)}}`);
		expect(errorOf(() => readConfigJson(file, 'c.json')).message).toBe(
			'c.json: line 3: nested more than 64 levels deep; a config is not',
		);
	});

	test('a hostile nesting of a million brackets is refused without exhausting the stack', () => {
		const file = writeConfig(nested(1_000_000).slice(0, 1_000_000));
		expect(errorOf(() => readConfigJson(file, 'c.json')).message).toMatch(
			/nested more than 64 levels deep/v,
		);
	});

	test('brackets inside strings, escaped quotes included, do not count as nesting', () => {
		const brackets = '['.repeat(100);
		const text = JSON.stringify({a: brackets, b: String.raw`\"${brackets}`});
		expect(readConfigJson(writeConfig(text), 'c.json')).toEqual({
			a: brackets,
			b: String.raw`\"${brackets}`,
		});
	});

	test('a file over 1 MiB is refused by its size', () => {
		const file = writeConfig(`"${'x'.repeat(1024 * 1024)}"`);
		expect(errorOf(() => readConfigJson(file, 'c.json')).message).toBe(
			'c.json: 1048578 bytes is too large for a config (at most 1048576)',
		);
	});

	test('a missing file says so', () => {
		const file = path.join(temporaryDirectory(), 'missing.json');
		expect(errorOf(() => readConfigJson(file, 'missing.json')).message).toBe(
			'missing.json: cannot read: file not found',
		);
	});

	test('a folder is not a config', () => {
		const dir = path.join(temporaryDirectory(), 'moondev.json');
		mkdirSync(dir);
		expect(errorOf(() => readConfigJson(dir, 'moondev.json')).message).toBe(
			'moondev.json: not a regular file (a folder): a config must be one',
		);
	});

	test('a named pipe fails at once instead of waiting for a writer', () => {
		const fifo = path.join(temporaryDirectory(), 'pipe.json');
		execFileSync('mkfifo', [fifo]);
		expect(errorOf(() => readConfigJson(fifo, 'pipe.json')).message).toBe(
			'pipe.json: not a regular file (a named pipe): a config must be one',
		);
	});

	test('a device fails at once instead of reading forever', () => {
		expect(errorOf(() => readConfigJson('/dev/zero', 'zero')).message).toBe(
			'zero: not a regular file (a device): a config must be one',
		);
	});

	test.skipIf(process.getuid?.() === 0)(
		'a file that cannot be read says permission denied',
		() => {
			const file = writeConfig('{}');
			chmodSync(file, 0o000);
			expect(errorOf(() => readConfigJson(file, 'c.json')).message).toBe(
				'c.json: cannot read: permission denied',
			);
		},
	);
});

describe('readBoundedFile', () => {
	test('returns the bytes of a small regular file as they are', () => {
		const bytes = new Uint8Array([0x41, 0xff, 0x00, 0x0a]);
		expect([...readBoundedFile(writeConfig(bytes), 'an env file')]).toEqual([
			...bytes,
		]);
	});

	test('its messages name what was read, not the file', () => {
		const dir = temporaryDirectory();
		expect(errorOf(() => readBoundedFile(dir, 'an env file')).message).toBe(
			'not a regular file (a folder): an env file must be one',
		);
	});

	test('a missing file is the file system error, for the caller to describe', () => {
		const file = path.join(temporaryDirectory(), 'none');
		expect(() => readBoundedFile(file, 'an env file')).toThrow(
			expect.objectContaining({code: 'ENOENT'}),
		);
	});
});

describe('describeFsError', () => {
	test('names the common codes in words and keeps any other message', () => {
		expect(
			describeFsError(Object.assign(new Error('x'), {code: 'ENOENT'})),
		).toBe('file not found');
		expect(
			describeFsError(Object.assign(new Error('x'), {code: 'EACCES'})),
		).toBe('permission denied');
		expect(
			describeFsError(
				Object.assign(new Error('EISDIR: boom'), {code: 'EISDIR'}),
			),
		).toBe('EISDIR: boom');
		expect(describeFsError('odd')).toBe('odd');
	});
});
