import {describe, expect, test} from 'vitest';
import {
	fitKeys,
	fitQuestion,
	type HeaderInput,
	type HeaderPlan,
	headerRight,
	planHeader,
	shortenPath,
} from '../../source/ui/fit-line.js';

const longPath =
	'/home/trader/desks/a-rather-long-folder-name-for-the-trading-desk/strategies/production/moondev.json';

const running: HeaderInput = {
	columns: 200,
	demo: false,
	cycle: 12,
	state: {long: 'RUNNING phase 2/2 parallel', short: 'RUNNING 2/2'},
	notes: [],
	last: '5.4s',
	average: '5.2s',
	configFile: longPath,
};

/** The header's line as the component draws it. */
function line(input: HeaderInput, plan: HeaderPlan): string {
	const left = [
		'moondev-tui',
		...(input.demo ? [' DEMO '] : []),
		`cycle ${input.cycle}`,
		plan.state,
		...plan.notes,
	].join(' ');
	const right = headerRight(plan);
	return right === ''
		? left
		: `${left}${' '.repeat(Math.max(2, input.columns - left.length - right.length))}${right}`;
}

describe('the header at a width', () => {
	test('wide enough, all of it: the state, the times and the whole config file', () => {
		const plan = planHeader(running);
		expect(plan).toEqual({
			state: 'RUNNING phase 2/2 parallel',
			notes: [],
			times: 'last 5.4s · avg 5.2s',
			configFile: longPath,
		});
	});

	test('the config file is shortened from its start, from a folder, before anything else gives way', () => {
		const plan = planHeader({...running, columns: 100});
		expect(plan.state).toBe('RUNNING phase 2/2 parallel');
		expect(plan.times).toBe('last 5.4s · avg 5.2s');
		expect(plan.configFile).toBe('…/production/moondev.json');
		expect(line({...running, columns: 100}, plan).length).toBeLessThanOrEqual(
			100,
		);
	});

	const pausing = {long: '(pausing after this cycle)', short: '(pausing)'};
	const queued = {long: '(next cycle queued)', short: '(queued)'};

	test.each([
		[
			'the notes are short, the times whole',
			100,
			{
				state: 'RUNNING phase 2/2 parallel',
				notes: ['(pausing)', '(queued)'],
				times: 'last 5.4s · avg 5.2s',
				configFile: '',
			},
		],
		[
			'the times are the average',
			80,
			{
				state: 'RUNNING phase 2/2 parallel',
				notes: ['(pausing)', '(queued)'],
				times: 'avg 5.2s',
				configFile: '',
			},
		],
		[
			'the times have gone',
			70,
			{
				state: 'RUNNING phase 2/2 parallel',
				notes: ['(pausing)', '(queued)'],
				times: '',
				configFile: '',
			},
		],
		[
			'the state is short',
			60,
			{
				state: 'RUNNING 2/2',
				notes: ['(pausing)', '(queued)'],
				times: '',
				configFile: '',
			},
		],
	] as const)('%s at %i', (_, columns, expected) => {
		const input = {...running, columns, notes: [pausing, queued]};
		const plan = planHeader(input);
		expect(plan).toEqual(expected);
		expect(line(input, plan).length).toBeLessThanOrEqual(columns);
	});

	test('at the minimum width, the demo with a long phase and a big cycle number fits on one line: the notes have gone', () => {
		const input: HeaderInput = {
			...running,
			columns: 60,
			demo: true,
			cycle: 123_456,
			state: {
				long: 'RUNNING phase 3/4 a-long-phase-name',
				short: 'RUNNING 3/4',
			},
			notes: [pausing, queued],
		};
		const plan = planHeader(input);
		expect(plan).toEqual({
			state: 'RUNNING 3/4',
			notes: [],
			times: '',
			configFile: '',
		});
		expect(line(input, plan).length).toBeLessThanOrEqual(60);
	});

	test('at every width from 60 up, the line fits, with or without the demo mark and notes', () => {
		for (let columns = 60; columns <= 220; columns++) {
			for (const demo of [false, true]) {
				for (const notes of [[], [pausing, queued]]) {
					const input = {...running, columns, demo, notes};
					expect(
						line(input, planHeader(input)).length,
						`${columns}, demo ${demo}, ${notes.length} notes`,
					).toBeLessThanOrEqual(columns);
				}
			}
		}
	});
});

describe('a path shortened', () => {
	test.each([
		['/a/b/moondev.json', 40, '/a/b/moondev.json'],
		['/home/me/bots/.config/moondev.json', 24, '…/.config/moondev.json'],
		['/home/me/bots/.config/moondev.json', 16, '…/moondev.json'],
		['/home/me/bots/.config/moondev.json', 10, '…ndev.json'],
	])('%s in %i: %s', (path, width, shortened) => {
		expect(shortenPath(path, width)).toBe(shortened);
		expect(shortened.length).toBeLessThanOrEqual(width);
	});
});

describe('the footer’s keys at a width', () => {
	const keys = [
		{text: '↑↓ select', rank: 6},
		{text: 'space on/off', rank: 5},
		{text: 'p pause', rank: 3},
		{text: 'f force', rank: 1},
		{text: '⏎ log', rank: 4},
		{text: 'x cancel', rank: 2},
		{text: '? help'},
		{text: 'q quit'},
	];

	test.each([
		[
			100,
			'↑↓ select  space on/off  p pause  f force  ⏎ log  x cancel  ? help  q quit',
		],
		[70, '↑↓ select  space on/off  p pause  ⏎ log  x cancel  ? help  q quit'],
		[60, '↑↓ select  space on/off  p pause  ⏎ log  ? help  q quit'],
		[40, '↑↓ select  space on/off  ? help  q quit'],
		[16, '? help  q quit'],
		[10, '? help  q…'],
	])('at %i: %s', (width, line) => {
		expect(fitKeys(keys, width)).toBe(line);
		expect(line.length).toBeLessThanOrEqual(width);
	});
});

describe('a question with its (y/n)', () => {
	const forms = [
		'Turn off critical risk for the next cycle? It trades unguarded.',
		'Turn off critical risk for the next cycle (unguarded)?',
		'Turn off critical risk?',
	];

	test.each([
		[
			100,
			'Turn off critical risk for the next cycle? It trades unguarded. (y/n)',
		],
		[60, 'Turn off critical risk for the next cycle (unguarded)? (y/n)'],
		[40, 'Turn off critical risk? (y/n)'],
		[20, 'Turn off crit… (y/n)'],
	])('at %i: %s', (width, question) => {
		expect(fitQuestion(forms, width)).toBe(question);
		expect(question.length).toBeLessThanOrEqual(width);
	});
});
