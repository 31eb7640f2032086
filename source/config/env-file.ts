import {parse as parseDotenv} from 'dotenv';

/** What an env file holds, and what in it dotenv would pass over without a word. */
export type EnvFileContents = {
	readonly variables: Readonly<Record<string, string>>;
	/** 1-based numbers of lines that are neither blank, a comment, nor a variable. */
	readonly ignoredLines: readonly number[];
	/** The file is not valid UTF-8: some values may not be what was meant. */
	readonly notUtf8: boolean;
};

/** Dotenv's own line pattern (dotenv 17, lib/main.js), to see which lines it reads. */
const dotenvLine =
	// eslint-disable-next-line unicorn/better-regex, require-unicode-regexp -- dotenv's, verbatim, so it reads what dotenv reads
	/(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

/**
Reads an env file the way dotenv does (the variables are dotenv's), and also says which lines
dotenv ignores ("API_KEY abc" with no `=`) and whether the bytes are UTF-8, so that `validate` can
point at them instead of an agent finding its key missing.
*/
export function readEnvFileContents(bytes: Uint8Array): EnvFileContents {
	let text: string;
	let notUtf8 = false;
	try {
		text = new TextDecoder('utf-8', {fatal: true}).decode(bytes);
	} catch {
		notUtf8 = true;
		text = new TextDecoder('utf-8').decode(bytes);
	}

	const source = text.replaceAll(/\r\n?/gv, '\n');
	// Each character a dotenv line covers; a multi-line quoted value covers several lines.
	const covered = new Uint8Array(source.length + 1);
	for (const match of source.matchAll(dotenvLine)) {
		if (match[0].trim() !== '') {
			covered.fill(1, match.index, match.index + match[0].length);
		}
	}

	const ignoredLines: number[] = [];
	let offset = 0;
	for (const [index, line] of source.split('\n').entries()) {
		const content = line.trim();
		const start = offset + line.indexOf(content);
		if (content !== '' && !content.startsWith('#') && covered[start] !== 1) {
			ignoredLines.push(index + 1);
		}

		offset += line.length + 1;
	}

	return {variables: parseDotenv(source), ignoredLines, notUtf8};
}

/** Why a variable cannot be handed to a process, if it cannot: never quoting the value. */
export function unpassableVariable(
	name: string,
	value: string,
): string | undefined {
	if (name === '' || name.includes('=') || name.includes('\0')) {
		return 'not a name a process environment can hold';
	}

	return value.includes('\0')
		? 'the value cannot be passed to a process (it holds a NUL byte)'
		: undefined;
}
