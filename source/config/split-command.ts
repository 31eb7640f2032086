import {parse} from 'shell-quote';

/**
Splits a command string into argv words the way a POSIX shell would (quotes, backslashes), without
ever running a shell. Variables are kept literally, and shell operators (pipes, redirections, `&&`)
are refused, since nothing would interpret them: returns the offending operator instead.
*/
export function splitCommand(
	command: string,
): {argv: string[]} | {operator: string} {
	const argv: string[] = [];
	// Keep `$VAR` as written: shell-quote would otherwise substitute an empty string.
	for (const entry of parse(command, name => `$${name}`)) {
		if (typeof entry === 'string') {
			argv.push(entry);
		} else if ('op' in entry && entry.op === 'glob') {
			argv.push(entry.pattern);
		} else if ('comment' in entry) {
			break;
		} else {
			return {operator: entry.op};
		}
	}

	return {argv};
}
