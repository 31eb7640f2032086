import type * as z from 'zod/mini';

/** `agents.risk.timeout`, `phases[1].agents[0]`: the key path as a user would write it. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
	let text = '';
	for (const key of path) {
		if (typeof key === 'number') {
			text += `[${key}]`;
		} else {
			text += text ? `.${String(key)}` : String(key);
		}
	}

	return text;
}

/** The closest of `candidates` to `word`, if it is close enough to be a likely typo. */
export function closestMatch(
	word: string,
	candidates: readonly string[],
): string | undefined {
	let best: string | undefined;
	let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
	for (const candidate of candidates) {
		const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}

	return best;
}

function editDistance(a: string, b: string): number {
	let previous = Array.from({length: b.length + 1}, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			const substitution =
				(previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
			current[j] = Math.min(
				(previous[j] ?? 0) + 1,
				(current[j - 1] ?? 0) + 1,
				substitution,
			);
		}

		previous = current;
	}

	return previous[b.length] ?? 0;
}

/**
One line per zod issue, each `key.path: message`. `knownKeys` gives the keys allowed at a path so
that an unknown key can suggest the one that was meant.
*/
export function formatIssues(
	issues: readonly z.core.$ZodIssue[],
	knownKeys: (path: readonly PropertyKey[]) => readonly string[],
): Array<{keyPath: string; message: string}> {
	const lines: Array<{keyPath: string; message: string}> = [];
	for (const issue of issues) {
		if (issue.code === 'unrecognized_keys') {
			for (const key of issue.keys) {
				const hint = closestMatch(key, knownKeys(issue.path));
				lines.push({
					keyPath: formatKeyPath([...issue.path, key]),
					message: hint
						? `unknown key (did you mean "${hint}"?)`
						: 'unknown key',
				});
			}
		} else if (issue.code === 'invalid_key') {
			const inner = issue.issues[0]?.message ?? issue.message;
			lines.push({keyPath: formatKeyPath(issue.path), message: inner});
		} else {
			lines.push({keyPath: formatKeyPath(issue.path), message: issue.message});
		}
	}

	return lines;
}

/** "unknown agent \"rsk\" (did you mean \"risk\"?)" */
export function unknownAgent(name: string, names: readonly string[]): string {
	const hint = closestMatch(name, names);
	return hint
		? `unknown agent "${name}" (did you mean "${hint}"?)`
		: `unknown agent "${name}"`;
}
