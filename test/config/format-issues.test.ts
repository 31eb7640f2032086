import {describe, expect, test} from 'vitest';
import * as z from 'zod/mini';
import {
	closestMatch,
	formatIssues,
	formatKeyPath,
	unknownAgent,
} from '../../source/config/format-issues.js';

/* The config's messages alone: key paths, "did you mean" hints, one line per zod issue. */

describe('formatKeyPath', () => {
	test('keys joined by dots, indexes in brackets, as a user would write them', () => {
		expect(formatKeyPath(['agents', 'risk', 'timeout'])).toBe(
			'agents.risk.timeout',
		);
		expect(formatKeyPath(['phases', 1, 'agents', 0])).toBe(
			'phases[1].agents[0]',
		);
		expect(formatKeyPath(['phases', 0, 1])).toBe('phases[0][1]');
	});

	test('the root is empty, and a path may start with an index', () => {
		expect(formatKeyPath([])).toBe('');
		expect(formatKeyPath(['agents'])).toBe('agents');
		expect(formatKeyPath([2, 'name'])).toBe('[2].name');
	});

	test('a symbol key is written as its description', () => {
		expect(formatKeyPath(['agents', Symbol('odd')])).toBe('agents.Symbol(odd)');
	});
});

describe('closestMatch', () => {
	test('a likely typo finds the key that was meant', () => {
		const keys = ['command', 'critical', 'retries', 'timeout', 'dependsOn'];
		expect(closestMatch('critcal', keys)).toBe('critical');
		expect(closestMatch('comand', keys)).toBe('command');
		// Two letters swapped are two edits.
		expect(closestMatch('retires', keys)).toBe('retries');
		expect(closestMatch('dependOn', keys)).toBe('dependsOn');
	});

	test('case does not count, and the candidate comes back as written', () => {
		expect(closestMatch('CRITICAL', ['critical'])).toBe('critical');
		expect(closestMatch('dependson', ['dependsOn'])).toBe('dependsOn');
	});

	test('the closest wins; of two as close, the first', () => {
		expect(closestMatch('timeout', ['timeouts', 'timeout'])).toBe('timeout');
		expect(closestMatch('cat', ['bat', 'hat'])).toBe('bat');
		expect(closestMatch('cat', ['xyz', 'hat', 'bat'])).toBe('hat');
	});

	test('nothing close enough, or nothing to choose from, is no hint', () => {
		expect(closestMatch('schedule', ['command', 'critical'])).toBeUndefined();
		expect(closestMatch('risk', [])).toBeUndefined();
	});

	test('up to two edits for a short word', () => {
		expect(closestMatch('abc', ['ayz'])).toBe('ayz');
		expect(closestMatch('abc', ['xyz'])).toBeUndefined();
		expect(closestMatch('abcdef', ['abcxyz'])).toBeUndefined();
		expect(closestMatch('abcdef', ['abcdyz'])).toBe('abcdyz');
	});

	test('up to a third of a longer word', () => {
		// 12 letters: 4 edits.
		expect(closestMatch('abcdefghijkl', ['wxyzefghijkl'])).toBe('wxyzefghijkl');
		expect(closestMatch('abcdefghijkl', ['vwxyzfghijkl'])).toBeUndefined();
		// 9 letters: 3 edits, by insertions too.
		expect(closestMatch('abcdefghi', ['abcdefghixyz'])).toBe('abcdefghixyz');
		expect(closestMatch('abcdefghi', ['abcdefghiwxyz'])).toBeUndefined();
	});
});

describe('formatIssues', () => {
	const agentSchema = z.strictObject({
		command: z.string({error: 'expected a command'}),
		critical: z.optional(z.boolean()),
		timeout: z.optional(z.number({error: 'expected a number of seconds'})),
	});
	const schema = z.strictObject({
		agents: z.record(
			z.string().check(
				z.regex(/^[\w\-]+$/v, {
					error: 'expected an agent name of letters, digits, _ and -',
				}),
			),
			agentSchema,
		),
		phases: z.optional(
			z.array(
				z.strictObject({
					name: z.string({error: 'expected a name'}),
					agents: z.array(z.string()),
				}),
			),
		),
	});

	function issuesOf(raw: unknown) {
		const parsed = schema.safeParse(raw);
		if (parsed.success) {
			throw new Error('expected the config to be refused');
		}

		return parsed.error.issues;
	}

	const knownKeys = (path: readonly PropertyKey[]) =>
		path[0] === 'agents'
			? Object.keys(agentSchema.shape)
			: ['agents', 'phases'];

	test('one line per issue: its key path and its message', () => {
		expect(
			formatIssues(
				issuesOf({
					agents: {risk: {command: 3, timeout: 'soon'}},
					phases: [{name: 'p', agents: []}, {agents: []}],
				}),
				knownKeys,
			),
		).toEqual([
			{keyPath: 'agents.risk.command', message: 'expected a command'},
			{
				keyPath: 'agents.risk.timeout',
				message: 'expected a number of seconds',
			},
			{keyPath: 'phases[1].name', message: 'expected a name'},
		]);
	});

	test('an issue of the whole config has an empty key path', () => {
		const lines = formatIssues(
			z.strictObject({}).safeParse('nope').error?.issues ?? [],
			knownKeys,
		);
		expect(lines).toHaveLength(1);
		expect(lines[0]?.keyPath).toBe('');
	});

	test('an unknown key is a line of its own, with a hint from the keys known at its path', () => {
		const paths: Array<readonly PropertyKey[]> = [];
		expect(
			formatIssues(
				issuesOf({
					agents: {
						risk: {command: 'x', critcal: true, timout: 5, colour: 'red'},
					},
					phaes: [],
				}),
				path => {
					paths.push(path);
					return knownKeys(path);
				},
			),
		).toEqual([
			{
				keyPath: 'agents.risk.critcal',
				message: 'unknown key (did you mean "critical"?)',
			},
			{
				keyPath: 'agents.risk.timout',
				message: 'unknown key (did you mean "timeout"?)',
			},
			{keyPath: 'agents.risk.colour', message: 'unknown key'},
			{keyPath: 'phaes', message: 'unknown key (did you mean "phases"?)'},
		]);
		// Asked with the path of the object the keys are in, not of the key.
		expect(paths).toEqual([
			['agents', 'risk'],
			['agents', 'risk'],
			['agents', 'risk'],
			[],
		]);
	});

	test('no known keys, no hint', () => {
		expect(
			formatIssues(issuesOf({agents: {}, phases: [], agnets: {}}), () => []),
		).toEqual([{keyPath: 'agnets', message: 'unknown key'}]);
	});

	test('a bad record key says what is wrong with the key, not "Invalid input"', () => {
		expect(
			formatIssues(
				issuesOf({agents: {'risk check': {command: 'x'}}}),
				knownKeys,
			),
		).toEqual([
			{
				keyPath: 'agents.risk check',
				message: 'expected an agent name of letters, digits, _ and -',
			},
		]);
	});

	test('a bad record key with no inner issue keeps its own message', () => {
		expect(
			formatIssues(
				[
					{
						code: 'invalid_key',
						origin: 'record',
						issues: [],
						path: ['agents', 'x y'],
						message: 'invalid agent name',
						input: 'x y',
					},
				],
				knownKeys,
			),
		).toEqual([{keyPath: 'agents.x y', message: 'invalid agent name'}]);
	});

	test('no issue, no line', () => {
		expect(formatIssues([], knownKeys)).toEqual([]);
	});
});

describe('unknownAgent', () => {
	test('names the agent, with the one likely meant', () => {
		expect(unknownAgent('rsk', ['risk', 'trading'])).toBe(
			'unknown agent "rsk" (did you mean "risk"?)',
		);
		expect(unknownAgent('Tradng', ['risk', 'trading'])).toBe(
			'unknown agent "Tradng" (did you mean "trading"?)',
		);
	});

	test('no hint when no agent is close', () => {
		expect(unknownAgent('sentiment', ['risk', 'trading'])).toBe(
			'unknown agent "sentiment"',
		);
		expect(unknownAgent('risk', [])).toBe('unknown agent "risk"');
	});
});
