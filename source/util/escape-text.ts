/*
Agent text made safe to show: whatever an agent prints — a message, a halt reason, its last stderr
line, a log line — must not end a line early, move the cursor, set the terminal's title, ring its
bell or reverse the text after it. Control characters are turned into visible escapes (`\n`,
`\x1b`, `\u009b`, `\u202e`), so the text stays on its own line and the attempt shows. Colours
(SGR: ESC [ … m) are formatting, not content: removed from one-line text and log files, kept only
in the TUI's log view. The escapes are for reading, not reversible: a backslash is left as it is.

Text without a control character — nearly all of it — costs one regex test and is returned as is.
*/

/* eslint-disable no-control-regex -- control characters are what these find */

/** C0 controls, DEL, C1 controls, the line and paragraph separators, bidi embeddings, overrides and isolates. */
const anyControl =
	/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;
const colourOrControl =
	/\u001B\[[\d;:]*m|[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gv;
/** The same without tab and line feed, which a log file keeps. */
const logControl =
	/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;
const colourOrLogControl =
	/\u001B\[[\d;:]*m|[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gv;
/** What JSON.stringify leaves raw that a terminal or a line splitter may act on. */
const jsonUnsafe = /[\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;
const jsonUnsafeGlobal =
	/[\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gv;
/** Colours the log view keeps: the plain `ESC [ n;n m` form, which Ink measures and cuts. */
const plainColour = /^\u001B\[[\d;]*m$/v;

/* eslint-enable no-control-regex */

const reset = '\u001B[0m';

/** `\n`, `\r`; `\x1b` for the rest of C0 and DEL; `\u009b` for C1 and the Unicode controls. */
function escapeCharacter(character: string, tab: string): string {
	switch (character) {
		case '\t': {
			return tab;
		}

		case '\n': {
			return String.raw`\n`;
		}

		case '\r': {
			return String.raw`\r`;
		}

		default: {
			const code = character.codePointAt(0) ?? 0;
			return code < 0x80
				? String.raw`\x${code.toString(16).padStart(2, '0')}`
				: String.raw`\u${code.toString(16).padStart(4, '0')}`;
		}
	}
}

/**
One line of agent text (a message, a reason, an error) as it may be shown: colours removed, a tab
a space, every other control character escaped. Idempotent.
*/
export function escapeControls(text: string): string {
	return anyControl.test(text)
		? text.replaceAll(colourOrControl, match =>
				match.length > 1 ? '' : escapeCharacter(match, ' '),
			)
		: text;
}

/**
Text for a log file, lines ended by `\n`: colours removed, tabs and line ends kept, every other
control character escaped (a `cat` of the log moves no cursor and a lone `\r` hides nothing).
*/
export function escapeLogText(text: string): string {
	return logControl.test(text)
		? text.replaceAll(colourOrLogControl, match =>
				match.length > 1 ? '' : escapeCharacter(match, '\t'),
			)
		: text;
}

/**
A log line for the TUI's log view: its colours kept (and reset at its end, so none bleeds into the
next line), a tab four spaces, every other control character escaped.
*/
export function escapeLogLine(line: string): string {
	if (!anyControl.test(line)) {
		return line;
	}

	let coloured = false;
	const escaped = line.replaceAll(colourOrControl, match => {
		if (match.length === 1) {
			return escapeCharacter(match, '    ');
		}

		if (plainColour.test(match)) {
			coloured = true;
			return match;
		}

		return '';
	});
	return coloured ? escaped + reset : escaped;
}

/**
JSON text (from JSON.stringify, which escapes C0 already) with DEL, C1, the line and paragraph
separators and the bidi controls written as `\uXXXX` escapes too: it parses to the same value, and
no terminal or line splitter that reads it acts on them.
*/
export function escapeJsonText(json: string): string {
	return jsonUnsafe.test(json)
		? json.replaceAll(
				jsonUnsafeGlobal,
				character =>
					String.raw`\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
			)
		: json;
}
