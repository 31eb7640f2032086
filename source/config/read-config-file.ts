import {readFileSync, type Stats, statSync} from 'node:fs';
import {
	type ParseError,
	parse as parseJsonc,
	printParseErrorCode,
} from 'jsonc-parser';
import {ConfigError} from './config-error.js';

/** A config is small; anything past this is a mistake (or a device), not a config. */
const maxConfigBytes = 1024 * 1024;
/** Deeper than any real config: deeper still could exhaust the parser's stack. */
const maxConfigDepth = 64;

/**
Reads a config file's JSON, bounded: a regular file (a FIFO or a device would never end), at most
1 MiB, nested at most 64 levels; every failure a ConfigError naming the file.
*/
export function readConfigJson(file: string, displayName: string): unknown {
	let text: string;
	try {
		text = new TextDecoder().decode(readBoundedFile(file, 'a config'));
	} catch (error) {
		if (error instanceof ConfigError) {
			throw new ConfigError(`${displayName}: ${error.message}`);
		}

		throw new ConfigError(
			`${displayName}: cannot read: ${describeFsError(error)}`,
		);
	}

	const tooDeep = depthBeyond(text, maxConfigDepth);
	if (tooDeep !== undefined) {
		throw new ConfigError(
			`${displayName}: line ${tooDeep}: nested more than ${maxConfigDepth} levels deep; a config is not`,
		);
	}

	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		throw new ConfigError(
			`${displayName}: invalid JSON: ${describeJsonError(error, text)}`,
		);
	}
}

/**
A file's bytes, if it is a regular file of at most 1 MiB: checked before it is opened, since
opening a FIFO waits for a writer and a device never ends. Throws a ConfigError saying what it is
instead (without the file's name: the caller adds it), or the file system's error.
*/
export function readBoundedFile(file: string, what: string): Uint8Array {
	const stats = statSync(file);
	if (!stats.isFile()) {
		throw new ConfigError(
			`not a regular file (${describeFileType(stats)}): ${what} must be one`,
		);
	}

	if (stats.size > maxConfigBytes) {
		throw new ConfigError(
			`${stats.size} bytes is too large for ${what} (at most ${maxConfigBytes})`,
		);
	}

	return readFileSync(file);
}

/** The line where brackets first nest deeper than `limit` (outside strings), if they do. */
function depthBeyond(text: string, limit: number): number | undefined {
	let depth = 0;
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const character = text[index] ?? '';
		if (inString) {
			// A backslash escapes the next character; a quote ends the string.
			index += character === '\\' ? 1 : 0;
			inString = character !== '"';
			continue;
		}

		switch (character) {
			case '"': {
				inString = true;
				break;
			}

			case '{':
			case '[': {
				depth++;
				if (depth > limit) {
					return text.slice(0, index).split('\n').length;
				}

				break;
			}

			case '}':
			case ']': {
				depth--;
				break;
			}

			default: {
				break;
			}
		}
	}

	return undefined;
}

function describeFileType(stats: Stats): string {
	if (stats.isFIFO()) {
		return 'a named pipe';
	}

	if (stats.isCharacterDevice() || stats.isBlockDevice()) {
		return 'a device';
	}

	if (stats.isDirectory()) {
		return 'a folder';
	}

	return stats.isSocket() ? 'a socket' : 'not a file';
}

/** Where the JSON goes wrong, as "line 3, column 13: value expected". */
function describeJsonError(error: unknown, text: string): string {
	const errors: ParseError[] = [];
	parseJsonc(text, errors, {disallowComments: true, allowTrailingComma: false});
	const first = errors[0];
	if (!first) {
		return error instanceof Error ? error.message : String(error);
	}

	const before = text.slice(0, first.offset);
	const line = before.split('\n').length;
	const column = before.length - before.lastIndexOf('\n');
	const what = printParseErrorCode(first.error)
		.replaceAll(/([a-z])([A-Z])/gv, '$1 $2')
		.toLowerCase();
	return `line ${line}, column ${column}: ${what}`;
}

/** A file system error as people read it. */
export function describeFsError(error: unknown): string {
	const {code} = error as NodeJS.ErrnoException;
	if (code === 'ENOENT') {
		return 'file not found';
	}

	if (code === 'EACCES') {
		return 'permission denied';
	}

	return error instanceof Error ? error.message : String(error);
}
