import {afterEach, describe, expect, test, vi} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {AgentTable} from '../../source/ui/agent-table.js';
import {CycleTimings} from '../../source/ui/cycle-timings.js';
import {Footer} from '../../source/ui/footer.js';
import {renderWithStore} from '../helpers/render.js';

/* Three panels of the screen, each rendered from a store (the agents of uiConfig: risk, trading, news). */

const time = '2026-11-02T10:00:00.000Z';
const start = Date.parse(time);
const at = (ms: number) => new Date(start + ms).toISOString();

/** Polls on real timers until `check` holds. */
async function until(check: () => boolean, what: string) {
	for (let tries = 0; !check(); tries++) {
		if (tries > 250) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 20);
		});
	}
}

const cycleEnd = (cycle: number, seconds: number): EngineEvent => ({
	type: 'cycle_end',
	time,
	cycle,
	duration_s: seconds,
	halted: false,
	results: {},
});

describe('the agents panel', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	const riskDone: EngineEvent[] = [
		{type: 'cycle_start', time, cycle: 1},
		{type: 'agent_start', time, cycle: 1, agent: 'risk', attempt: 1},
		{
			type: 'agent_end',
			time,
			cycle: 1,
			agent: 'risk',
			status: 'success',
			duration_s: 2,
			attempts: 1,
			error: null,
		},
		{
			type: 'agent_health',
			time,
			agent: 'risk',
			status: 'healthy',
			success_rate: 100,
			avg_duration_s: 2,
		},
	];

	test('a header, then one row per agent in config order, the selected one marked', () => {
		const {lastFrame} = renderWithStore(
			<AgentTable selected={1} width={100} height={10} />,
			{events: riskDone},
		);
		const [header, ...rows] = lastFrame()?.split('\n') ?? [];
		expect(header).toMatch(
			/^ {4}AGENT +TAG +ON +PROGRESS +TIME +TRY +HEALTH +STATUS$/v,
		);
		expect(rows).toHaveLength(3);
		expect(rows[0]).toMatch(
			/^ {2}✓ risk +CRIT on +█{16} 100% 2\.0s +1\/4 +HEALTHY 100% 2\.0s +success$/v,
		);
		expect(rows[1]).toMatch(
			/^› … trading +para on +░{16} +— +unknown +queued$/v,
		);
		expect(rows[2]).toMatch(
			/^ {2}○ news +para off ░{16} +— +unknown +disabled$/v,
		);
	});

	/** The column where `text` starts in `line`: every character here is one column and one code unit. */
	const columnOf = (line: string, text: string) => line.indexOf(text);

	test.each([100, 80])(
		'at width %i the TRY, HEALTH and STATUS labels stand over their columns',
		width => {
			const {lastFrame} = renderWithStore(
				<AgentTable selected={0} width={width} height={10} />,
				{events: riskDone},
			);
			const [header = '', risk = ''] = lastFrame()?.split('\n') ?? [];
			// Narrower, the bar is 10 wide (not 16) and the health column 15 (not 20).
			expect(risk).toMatch(width >= 100 ? / █{16} 100% /v : / █{10} 100% /v);
			expect([
				columnOf(header, 'TRY'),
				columnOf(header, 'HEALTH'),
				columnOf(header, 'STATUS'),
			]).toEqual([
				columnOf(risk, '1/4'),
				columnOf(risk, 'HEALTHY'),
				columnOf(risk, 'success'),
			]);
		},
	);

	test('the AGENT, TAG, ON, PROGRESS and TIME labels stand over their columns', () => {
		// A row has 4 columns before the name (marker, space, a 2-wide icon); so must the header.
		const {lastFrame} = renderWithStore(
			<AgentTable selected={0} width={100} height={10} />,
			{events: riskDone},
		);
		const [header = '', risk = ''] = lastFrame()?.split('\n') ?? [];
		expect([
			columnOf(header, 'AGENT'),
			columnOf(header, 'TAG'),
			columnOf(header, 'ON'),
			columnOf(header, 'PROGRESS'),
			columnOf(header, 'TIME'),
		]).toEqual([
			columnOf(risk, 'risk'),
			columnOf(risk, 'CRIT'),
			columnOf(risk, 'on'),
			columnOf(risk, '█'),
			columnOf(risk, '2.0s'),
		]);
	});

	test.each([
		[0, 3, ['risk', 'trading']],
		[1, 3, ['risk', 'trading']],
		[2, 3, ['trading', 'news']],
		[2, 2, ['news']],
		[0, 1, ['risk']],
		[2, 0, ['news']],
		[1, 10, ['risk', 'trading', 'news']],
	] as const)(
		'selected %i in %i rows: the header and %j',
		(selected, height, shown) => {
			const {lastFrame} = renderWithStore(
				<AgentTable selected={selected} width={100} height={height} />,
			);
			const [header, ...rows] = lastFrame()?.split('\n') ?? [];
			expect(header).toMatch(/^ {4}AGENT/v);
			expect(rows.map(row => /^[› ] \S (\w+)/v.exec(row)?.[1])).toEqual(shown);
			// The selection is always in view, and marked.
			expect(rows.filter(row => row.startsWith('›'))).toHaveLength(1);
			expect(rows.find(row => row.startsWith('›'))).toContain(
				['risk', 'trading', 'news'][selected],
			);
		},
	);

	test('its clock ticks while a cycle runs, and stops when the cycle ends', async () => {
		vi.useFakeTimers({
			toFake: ['setInterval', 'clearInterval', 'Date'],
			now: start + 2000,
		});
		const {lastFrame, store} = renderWithStore(
			<AgentTable selected={0} width={100} height={10} />,
		);
		const trading = () => lastFrame()?.split('\n')[2] ?? '';
		expect(trading()).toMatch(/^ {2}· trading +para on +░{16} +— /v);

		store.getState().apply({type: 'cycle_start', time, cycle: 1});
		store.getState().apply({
			type: 'agent_start',
			time,
			cycle: 1,
			agent: 'trading',
			attempt: 1,
		});
		// Read when the cycle started: 2 s since the agent did.
		await until(() => trading().includes(' 2.0s '), 'the running row');
		expect(trading()).toMatch(
			/^ {2}\S trading +para on +░{16} +2\.0s +unknown +running$/v,
		);
		// Two timers: the table's clock, and the running row's spinner (ink-spinner's one interval).
		await until(() => vi.getTimerCount() === 2, 'the clock to start');
		vi.advanceTimersByTime(1000);
		await until(() => trading().includes(' 3.0s '), 'the first tick');
		vi.advanceTimersByTime(1000);
		await until(() => trading().includes(' 4.0s '), 'the second tick');

		// The cycle over (its agent not said to be, for the sake of the test), the clock stops …
		store.getState().apply(cycleEnd(1, 4));
		await until(() => vi.getTimerCount() === 1, "the table's clock to stop");
		// … and while the spinner turns (62 frames of 80 ms: a frame later), the time stays.
		const before = trading();
		vi.advanceTimersByTime(5000);
		await until(() => trading() !== before, 'the spinner to turn');
		expect(trading()).toMatch(
			/^ {2}\S trading +para on +░{16} +4\.0s +unknown +running$/v,
		);
	});
});

describe('the cycle timings', () => {
	test('before any cycle: dashes', () => {
		const {lastFrame} = renderWithStore(<CycleTimings width={100} />);
		expect(lastFrame()).toBe('cycles — avg —');
	});

	test('the durations as a sparkline scaled to the largest, and their average', () => {
		const {lastFrame} = renderWithStore(<CycleTimings width={100} />, {
			events: [1, 2, 3, 6].map((seconds, index) =>
				cycleEnd(index + 1, seconds),
			),
		});
		expect(lastFrame()).toBe('cycles ▂▃▄█ avg 3.0s');
	});

	test.each([
		[100, '▁▂▂▂▂▂▂▃▃▃▃▃▃▃▄▄▄▄▄▄▅▅▅▅▅▅▅▆▆▆▆▆▆▇▇▇▇▇▇█'],
		[60, '▅▅▅▅▅▅▅▆▆▆▆▆▆▇▇▇▇▇▇█'],
		[50, '▆▆▆▇▇▇▇▇▇█'],
		[44, '▇▇▇▇█'],
		[20, '▇▇▇▇█'],
	])(
		'at width %i the latest cycles that fit (at least 5, at most 40), the average over all',
		(width, sparks) => {
			const {lastFrame} = renderWithStore(<CycleTimings width={width} />, {
				events: Array.from({length: 45}, (_, index) =>
					cycleEnd(index + 1, index + 1),
				),
			});
			expect(lastFrame()).toBe(`cycles ${sparks} avg 23.0s`);
		},
	);

	test('the phases of the running cycle, the open one marked, closed when the cycle ends', () => {
		const phases: EngineEvent[] = [
			{type: 'cycle_start', time, cycle: 1},
			{
				type: 'phase_start',
				time,
				cycle: 1,
				phase: 'critical',
				mode: 'sequential',
				agents: ['risk'],
			},
			{
				type: 'phase_start',
				time: at(1500),
				cycle: 1,
				phase: 'parallel',
				mode: 'parallel',
				agents: ['trading'],
			},
		];
		const running = renderWithStore(<CycleTimings width={100} />, {
			events: phases,
		});
		expect(running.lastFrame()).toBe(
			'cycles — avg —  phases: critical 1.5s → parallel …',
		);
		const ended = renderWithStore(<CycleTimings width={100} />, {
			events: [
				...phases,
				{
					type: 'cycle_end',
					time: at(4000),
					cycle: 1,
					duration_s: 4,
					halted: false,
					results: {},
				},
			],
		});
		expect(ended.lastFrame()).toBe(
			'cycles █ avg 4.0s  phases: critical 1.5s → parallel 2.5s',
		);
	});

	test('a new cycle clears the last one’s phases, keeping the durations', () => {
		const {lastFrame} = renderWithStore(<CycleTimings width={100} />, {
			events: [
				{type: 'cycle_start', time, cycle: 1},
				{
					type: 'phase_start',
					time,
					cycle: 1,
					phase: 'critical',
					mode: 'sequential',
					agents: ['risk'],
				},
				cycleEnd(1, 2),
				{type: 'cycle_start', time: at(60_000), cycle: 2},
			],
		});
		expect(lastFrame()).toBe('cycles █ avg 2.0s');
	});
});

describe('the footer', () => {
	test('the keys of the main view', () => {
		const {lastFrame} = renderWithStore(
			<Footer mode="main" prompt={undefined} />,
		);
		expect(lastFrame()).toBe(
			'↑↓ select  space on/off  p pause  f force  ⏎ log  m metrics  x cancel  ? help  q quit',
		);
	});

	test('the keys of the log view', () => {
		const {lastFrame} = renderWithStore(
			<Footer mode="log" prompt={undefined} width={99} />,
		);
		// At 99 columns the least-needed key (t time, or n/N) gives way; ? help and q quit stay.
		expect(lastFrame()).toMatch(
			/^↑↓ scroll {2}PgUp\/PgDn page {2}g\/G top\/follow {2}\/ search {2}.*esc back {2}\? help {2}q quit$/v,
		);
	});

	test('the keys of the metrics view', () => {
		const {lastFrame} = renderWithStore(
			<Footer mode="metrics" prompt={undefined} />,
		);
		expect(lastFrame()).toBe('↑↓ select agent  esc back  ? help  q quit');
	});

	test.each(['main', 'log'] as const)(
		'a pending question replaces the keys of the %s view',
		mode => {
			const {lastFrame} = renderWithStore(
				<Footer mode={mode} prompt="Cancel trading?" />,
			);
			expect(lastFrame()).toBe('Cancel trading? (y/n)');
		},
	);

	test('an empty question is no question', () => {
		const {lastFrame} = renderWithStore(<Footer mode="main" prompt="" />);
		expect(lastFrame()).toMatch(/^↑↓ select/v);
	});
});

describe('a running agent’s resources', () => {
	test('its row shows the CPU and memory of its process group, before what it says', () => {
		const time = '2026-11-25T10:00:00.000Z';
		const {lastFrame} = renderWithStore(
			<AgentTable selected={0} width={100} height={10} />,
			{
				events: [
					{type: 'cycle_start', time, cycle: 1},
					{type: 'agent_start', time, cycle: 1, agent: 'risk', attempt: 1},
					{
						type: 'agent_progress',
						time,
						cycle: 1,
						agent: 'risk',
						percent: 40,
						message: 'prices',
					},
					{
						type: 'agent_usage',
						time,
						usage: {risk: {cpu_percent: 12.5, memory_bytes: 45 * 1024 * 1024}},
					},
				] satisfies EngineEvent[],
			},
		);
		expect(lastFrame()).toMatch(/running 13% 45M pr/v);
	});
});
