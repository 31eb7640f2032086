import {describe, expect, test} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {AgentRow} from '../../source/ui/agent-row.js';
import {App} from '../../source/ui/app.js';
import {HelpOverlay, keyHelp} from '../../source/ui/help-overlay.js';
import {helpLayout, minimumSize, screenRows} from '../../source/ui/layout.js';
import {buildConfig, waitFor} from '../helpers/index.js';
import {press, renderWithStore} from '../helpers/render.js';

/*
The whole screen at each size from the minimum up, rendered with ink-testing-library: no line is
wider than the terminal, the screen is no taller than it, and the selection, every shown agent's
name and state are there. (test/e2e/sizes.test.ts does the same in a real terminal.)
*/

const time = new Date().toISOString();
const names = [
	'risk',
	'trading',
	'news',
	'sentiment',
	'copybot',
	'whale-watcher',
	'arbitrage',
] as const;

function config() {
	return buildConfig({
		agents: Object.fromEntries(
			names.map(name => [
				name,
				{
					command: 'x',
					enabled: name !== 'copybot',
					critical: name === 'risk',
					retries: name === 'news' ? 2 : 0,
				},
			]),
		),
	});
}

const ended = (
	agent: string,
	status: 'success' | 'failed',
	error: string | null = null,
): EngineEvent => ({
	type: 'agent_end',
	time,
	cycle: 3,
	agent,
	status,
	duration_s: 1.5,
	attempts: 1,
	error,
});

/** Cycle 3 running: risk done, trading running with progress, usage and a long message, news failed. */
const running: EngineEvent[] = [
	{type: 'cycle_start', time, cycle: 3},
	{
		type: 'phase_start',
		time,
		cycle: 3,
		phase: 'critical',
		mode: 'sequential',
		agents: ['risk'],
	},
	{type: 'agent_start', time, cycle: 3, agent: 'risk', attempt: 1},
	ended('risk', 'success'),
	{
		type: 'phase_start',
		time,
		cycle: 3,
		phase: 'parallel',
		mode: 'parallel',
		agents: names.filter(name => name !== 'risk'),
	},
	{type: 'agent_start', time, cycle: 3, agent: 'trading', attempt: 1},
	{
		type: 'agent_progress',
		time,
		cycle: 3,
		agent: 'trading',
		percent: 42,
		message:
			'fetching prices for 120 symbols from three exchanges, then rebalancing',
	},
	{
		type: 'agent_usage',
		time,
		usage: {trading: {cpu_percent: 12, memory_bytes: 45 * 1024 * 1024}},
	},
	{type: 'agent_start', time, cycle: 3, agent: 'news', attempt: 1},
	ended(
		'news',
		'failed',
		'exit code 1: the news feed answered 503 Service Unavailable for every request',
	),
	{type: 'agent_start', time, cycle: 3, agent: 'sentiment', attempt: 1},
	ended('sentiment', 'success'),
	{
		type: 'alert',
		time,
		level: 'warning',
		message:
			'news failed: exit code 1: the news feed answered 503 Service Unavailable for every request',
	},
	{
		type: 'schedule',
		time,
		paused: true,
		next_run: null,
		forced: true,
	},
];

/** Cycle 3 halted by risk, with a long reason: the header takes two lines. */
const halted: EngineEvent[] = [
	...running,
	{
		type: 'halt',
		time,
		cycle: 3,
		agent: 'risk',
		reason:
			'value at risk 0.083 over the limit of 0.05 for the whole book, trading stops here',
	},
];

/** Renders the App at a terminal's size (its columns × its rows, as a terminal reports them). */
async function renderAt(
	columns: number,
	rows: number,
	events: EngineEvent[],
	options: {isAttached?: boolean} = {},
) {
	const rendered = renderWithStore(
		options.isAttached ? (
			<App onQuit={() => undefined} onStopEngine={() => undefined} />
		) : (
			<App onQuit={() => undefined} />
		),
		{config: config(), events},
	);
	resize(rendered, columns, rows);
	await waitFor(
		() => isDrawnAt(rendered.lastFrame(), columns, rows),
		2000,
		`a frame of ${columns}×${rows}`,
	);
	return rendered;
}

function resize(
	rendered: ReturnType<typeof renderWithStore>,
	columns: number,
	rows: number,
) {
	for (const [key, value] of [
		['columns', columns],
		['rows', rows],
	] as const) {
		Object.defineProperty(rendered.stdout, key, {
			value,
			configurable: true,
		});
	}

	rendered.stdout.emit('resize');
}

/**
Whether a frame is drawn for that size: as tall as the terminal less one row (the screen's root box
is), no line wider; or the "too small" message.
*/
function isDrawnAt(frame: string | undefined, columns: number, rows: number) {
	const lines = linesOf(frame);
	return (
		(frame ?? '').includes(`Terminal too small (${columns}×${rows})`) ||
		(lines.length === rows - 1 &&
			lines.every(line => [...line].length <= columns))
	);
}

/** The frame's lines (every character in them is one column). */
function linesOf(frame: string | undefined): string[] {
	return (frame ?? '').split('\n');
}

function expectWhole(frame: string | undefined, columns: number, rows: number) {
	const lines = linesOf(frame);
	for (const line of lines) {
		expect([...line].length, line).toBeLessThanOrEqual(columns);
	}

	// One row short of the terminal (Ink 6 clears a frame as tall as the terminal).
	expect(lines).toHaveLength(rows - 1);
	expect(lines[0]).toMatch(/^moondev-tui .*cycle 3 /v);
	expect(lines.at(-1)).toMatch(/\? help .*q quit|\(y\/n\)$/v);
}

const sizes = [
	[60, 15],
	[64, 16],
	[70, 20],
	[75, 22],
	[80, 24],
	[100, 30],
	[120, 40],
] as const;

describe('the whole screen at every size from the minimum up', () => {
	test.each(sizes)(
		'at %i×%i: no line wraps, and the selection, the names and the states show',
		async (columns, rows) => {
			const rendered = await renderAt(columns, rows, running);
			const frame = rendered.lastFrame();
			expectWhole(frame, columns, rows);
			const lines = linesOf(frame);
			const rows_ = lines.filter(line => /^[› ] \S /v.test(line));
			// The selected row first, then every agent that has room, each with its state.
			expect(rows_[0]).toMatch(/^› ✓ risk +.*success/v);
			const shown = screenRows({
				rows: rows - 1,
				agents: names.length,
				isHalted: false,
			});
			expect(rows_).toHaveLength(Math.min(names.length, shown.table - 1));
			const states = {
				risk: 'success',
				trading: 'running 12% 45M',
				news: 'failed',
				sentiment: 'success',
				copybot: 'disabled',
				'whale-watcher': 'queued',
				arbitrage: 'queued',
			};
			for (const [index, row] of rows_.entries()) {
				const name = names[index]!;
				expect(row).toContain(` ${name.slice(0, 11)}`);
				// The state's word; at narrow widths, what follows it is cut.
				expect(row).toContain(` ${states[name].split(' ')[0]}`);
			}

			// The paused and forced notes, long or short.
			expect(lines[0]).toMatch(/\(pausing( after this cycle)?\)/v);
		},
	);

	test.each(sizes)(
		"at %i×%i with workers: their line takes an alert's row, cut at the width",
		async (columns, rows) => {
			const rendered = await renderAt(columns, rows, [
				...halted,
				{
					type: 'workers',
					time,
					workers: [
						{
							id: 'gpu-box-12345-ab12',
							host: 'gpu-box',
							tags: ['gpu'],
							concurrency: 2,
							running: 1,
							stopping: false,
						},
						{
							id: 'exchange-eu-678-cd34',
							host: 'exchange-eu',
							tags: ['eu', 'fast'],
							concurrency: 1,
							running: 0,
							stopping: true,
						},
					],
				},
			]);
			const frame = rendered.lastFrame();
			expectWhole(frame, columns, rows);
			expect(frame).toMatch(/^WORKERS gpu-box-12345-ab12 gpu 1\/2/mv);
			expect(frame).toMatch(/^ALERTS/mv);
		},
	);

	test.each(sizes)(
		'at %i×%i halted: the reason takes one line, cut; the selection still shows',
		async (columns, rows) => {
			const rendered = await renderAt(columns, rows, halted);
			const frame = rendered.lastFrame();
			expectWhole(frame, columns, rows);
			expect(linesOf(frame)[1]).toMatch(/^HALTED by risk: value at risk/v);
			expect(frame).toMatch(/^› ✓ risk /mv);
		},
	);

	test.each(sizes)(
		'at %i×%i the selection moved to the last agent is in view, marked',
		async (columns, rows) => {
			const rendered = await renderAt(columns, rows, halted);
			for (const _ of names.slice(1)) {
				await press(rendered, 'j');
			}

			const frame = rendered.lastFrame();
			expectWhole(frame, columns, rows);
			expect(frame).toMatch(/^› \S arbitrage +.*queued/mv);
		},
	);

	test.each(sizes)(
		'at %i×%i the help fits: every key shows, on lines no wider than the terminal',
		async (columns, rows) => {
			for (const isAttached of [false, true]) {
				const rendered = await renderAt(columns, rows, halted, {isAttached});
				await press(rendered, '?');
				const frame = rendered.lastFrame() ?? '';
				const lines = linesOf(frame);
				for (const line of lines) {
					expect([...line].length, line).toBeLessThanOrEqual(columns);
				}

				expect(lines.length).toBeLessThanOrEqual(rows - 1);
				expect(frame).toMatch(/Keys — esc or \? to close/v);
				for (const [keys] of keyHelp.filter(
					([keys]) => !isAttached || (keys !== 'q' && keys !== 'Ctrl-C'),
				)) {
					expect(frame).toContain(keys);
				}

				expect(lines.at(-1)).toMatch(
					isAttached ? /\? help +q detach/v : /\? help +q quit$/v,
				);
			}
		},
	);

	test('a question keeps its (y/n) at the minimum width', async () => {
		const rendered = await renderAt(60, 15, running);
		await press(rendered, ' ');
		expect(linesOf(rendered.lastFrame()).at(-1)).toBe(
			'Turn off critical risk for the next cycle (unguarded)? (y/n)',
		);
	});

	test.each([
		[59, 15],
		[60, 14],
		[40, 10],
	])(
		'at %i×%i, under the minimum, it says the terminal is too small, and a running cycle’s q still asks',
		async (columns, rows) => {
			const rendered = await renderAt(columns, rows, running);
			expect(rendered.lastFrame()?.replaceAll(/\s+/gv, ' ')).toContain(
				`Terminal too small (${columns}×${rows}); moondev-tui needs ${minimumSize.columns}×${minimumSize.rows}. q quits.`,
			);
			await press(rendered, 'q');
			expect(rendered.lastFrame()?.replaceAll(/\s+/gv, ' ')).toContain(
				'A cycle is running: quit and kill its agents? (y/n)',
			);
		},
	);

	test('a resize redraws at the new size, down to the minimum and back', async () => {
		const rendered = await renderAt(120, 40, running);
		expectWhole(rendered.lastFrame(), 120, 40);
		for (const [columns, rows] of [
			[60, 15],
			[80, 24],
			[70, 20],
			[120, 40],
		] as const) {
			resize(rendered, columns, rows);
			await waitFor(
				() => isDrawnAt(rendered.lastFrame(), columns, rows),
				2000,
				`the frame at ${columns}×${rows}`,
			);
			expectWhole(rendered.lastFrame(), columns, rows);
		}
	});
});

describe('a row at the narrowest widths', () => {
	/** Monday 2 November 2026, local time. */
	const local = (hour: number, minute = 0) =>
		new Date(2026, 10, 2, hour, minute).toISOString();

	test.each([60, 64, 65, 70, 74, 79])(
		'at %i a scheduled agent that is not due still says so, and when',
		width => {
			const {lastFrame} = renderWithStore(
				<AgentRow
					isSelected
					name="trading"
					now={Date.parse(local(13, 50))}
					width={width}
				/>,
				{
					events: [
						{type: 'cycle_start', time: local(13, 50), cycle: 2},
						{
							type: 'agent_not_due',
							time: local(13, 50),
							cycle: 2,
							agent: 'trading',
							next_due: local(14, 5),
						},
						{
							type: 'agent_end',
							time: local(13, 50),
							cycle: 2,
							agent: 'trading',
							status: 'not_due',
							duration_s: 0,
							attempts: 0,
							error: null,
						},
					],
				},
			);
			const frame = lastFrame() ?? '';
			expect(frame.split('\n')).toHaveLength(1);
			expect([...frame].length).toBeLessThan(width);
			expect(frame).toMatch(/^› ◷ trading .*not due · (next )?14:05 +unknown/v);
		},
	);

	test('a badge longer than its column is cut, never wrapped', () => {
		const {lastFrame} = renderWithStore(
			<AgentRow isSelected={false} name="risk" now={Date.now()} width={100} />,
			{
				events: [
					{
						type: 'agent_health',
						time,
						agent: 'risk',
						status: 'unhealthy',
						success_rate: 100,
						avg_duration_s: 1234.5,
					},
				],
			},
		);
		const frame = lastFrame() ?? '';
		expect(frame.split('\n')).toHaveLength(1);
		expect(frame).toMatch(/ UNHEALTHY 100% +idle$/v);
	});
});

describe('the rows of each part', () => {
	test('from the minimum up, the parts take the rows there are, the alerts 2 to 6', () => {
		for (let rows = minimumSize.rows - 1; rows <= 60; rows++) {
			for (const agents of [1, 3, 7, 20, 60]) {
				for (const isHalted of [false, true]) {
					const {body, table, alerts} = screenRows({rows, agents, isHalted});
					expect(body).toBe(rows - (isHalted ? 2 : 1) - 2);
					// The table, the timings with the row above them, the alerts with their title.
					expect(table + 2 + 1 + alerts).toBe(body);
					expect(alerts).toBeGreaterThanOrEqual(2);
					expect(alerts).toBeLessThanOrEqual(6);
					// At least the labels and four agents, at the smallest size halted.
					expect(table).toBeGreaterThanOrEqual(Math.min(5, agents + 1));
				}
			}
		}
	});

	test('few agents leave the alerts their 6 rows; many take what the alerts do not need', () => {
		expect(screenRows({rows: 29, agents: 4, isHalted: false})).toEqual({
			body: 26,
			table: 17,
			alerts: 6,
		});
		expect(screenRows({rows: 14, agents: 20, isHalted: false})).toEqual({
			body: 11,
			table: 6,
			alerts: 2,
		});
	});
});

describe('the help at a size', () => {
	test.each([
		[100, 26, true, 1],
		[70, 16, true, 1],
		[70, 15, false, 1],
		[60, 11, false, 2],
		[60, 10, false, 2],
	] as const)(
		'in %i×%i: bordered %s, in %i columns',
		(width, height, isBordered, columns) => {
			const layout = helpLayout(keyHelp.length, width, height);
			expect(layout).toMatchObject({isBordered, columns});
			const rendered = renderWithStore(
				<HelpOverlay width={width} height={height} />,
			);
			const lines = linesOf(rendered.lastFrame());
			expect(lines.length).toBeLessThanOrEqual(height);
			for (const line of lines) {
				expect([...line].length, line).toBeLessThanOrEqual(width);
			}

			for (const [keys, what, short] of keyHelp) {
				expect(rendered.lastFrame()).toContain(keys);
				// Its long words where they fit, else its short ones, whole.
				const frame = rendered.lastFrame() ?? '';
				expect(frame.includes(what) || frame.includes(short), keys).toBe(true);
			}
		},
	);

	test('every short word fits the two columns of the narrowest terminal', () => {
		const {whatWidth} = helpLayout(keyHelp.length, minimumSize.columns, 10);
		for (const entry of keyHelp) {
			expect(entry[2].length).toBeLessThanOrEqual(whatWidth);
		}
	});
});
