/*
`/` in the log view: the lines that match a search, and which match comes next or before. Pure,
so the keys are tested without a terminal. Case-insensitive unless the query has a capital (as in
less and vim's smartcase), on the text as shown: colours and control characters do not match.
*/

/** Whether `line` matches `query`. */
export function lineMatches(line: string, query: string): boolean {
	if (query === '') {
		return false;
	}

	return query === query.toLowerCase()
		? line.toLowerCase().includes(query)
		: line.includes(query);
}

/** The indexes of the lines that match, in order. */
export function matchingLines(
	lines: readonly string[],
	query: string,
): number[] {
	const found: number[] = [];
	for (const [index, line] of lines.entries()) {
		if (lineMatches(line, query)) {
			found.push(index);
		}
	}

	return found;
}

/**
The match to go to from line `from`: the first after it (`next`) or before it, wrapping around at
the ends as less does; undefined when nothing matches.
*/
export function nextMatch(
	matches: readonly number[],
	from: number,
	direction: 'next' | 'previous',
): number | undefined {
	if (matches.length === 0) {
		return undefined;
	}

	if (direction === 'next') {
		return matches.find(index => index > from) ?? matches[0];
	}

	return matches.findLast(index => index < from) ?? matches.at(-1);
}

/** `line` cut into the parts before, in and after each match, for highlighting. */
export function splitMatches(
	line: string,
	query: string,
): Array<{readonly text: string; readonly match: boolean}> {
	if (query === '') {
		return [{text: line, match: false}];
	}

	const haystack = query === query.toLowerCase() ? line.toLowerCase() : line;
	const parts: Array<{text: string; match: boolean}> = [];
	let at = 0;
	for (
		let found = haystack.indexOf(query, at);
		found !== -1;
		found = haystack.indexOf(query, at)
	) {
		if (found > at) {
			parts.push({text: line.slice(at, found), match: false});
		}

		parts.push({text: line.slice(found, found + query.length), match: true});
		at = found + query.length;
	}

	if (at < line.length || parts.length === 0) {
		parts.push({text: line.slice(at), match: false});
	}

	return parts;
}
