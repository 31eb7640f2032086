import {expect, test} from 'vitest';
import {App} from '../../source/ui/app.js';
import {handleKey, initialView, plainKey} from '../../source/ui/key-map.js';
import {createInitialState} from '../../source/store/state.js';
import {reduce} from '../../source/store/reduce.js';
import type {EngineEvent} from '../../source/contract/events.js';
import {waitFor} from '../helpers/index.js';
import {press, renderWithStore, uiConfig} from '../helpers/render.js';

const time = '2026-11-02T10:00:00.000Z';
const noKey = plainKey;
const running: EngineEvent[] = [
	{type: 'cycle_start', time, cycle: 1},
	{type: 'agent_start', time, cycle: 1, agent: 'risk', attempt: 1},
];

test('keys against a prepared store: select, toggle, pause, force, cancel asks first', async () => {
	const quits: string[] = [];
	const onQuit = () => {
		quits.push('quit');
	};

	const rendered = renderWithStore(<App onQuit={onQuit} />, {events: running});
	await press(rendered, 'j');
	await press(rendered, ' ');
	await press(rendered, 'k');
	await press(rendered, 'p');
	await press(rendered, 'f');
	await press(rendered, 'x');
	expect(rendered.lastFrame()).toMatch(/Cancel risk\? \(y\/n\)/);
	await press(rendered, 'y');
	expect(rendered.calls).toEqual([
		'trading=false',
		'pause',
		'force',
		'cancel risk',
	]);
	await press(rendered, 'q');
	expect(rendered.lastFrame()).toMatch(
		/A cycle is running: quit and kill its agents\? \(y\/n\)/,
	);
	await press(rendered, 'n');
	expect(quits).toEqual([]);
	await press(rendered, 'q');
	await press(rendered, 'y');
	expect(quits).toEqual(['quit']);
});

test('turning a critical agent off asks first; no is no', async () => {
	const rendered = renderWithStore(<App onQuit={() => undefined} />, {
		events: running,
	});
	await press(rendered, ' ');
	expect(rendered.lastFrame()).toMatch(
		/Turn off critical risk for the next cycle\? It trades unguarded\. \(y\/n\)/,
	);
	await press(rendered, 'n');
	expect(rendered.calls).toEqual([]);
	await press(rendered, ' ');
	await press(rendered, 'y');
	// Said yes to on this screen: an engine across the socket is told so (and asks otherwise).
	expect(rendered.calls).toEqual(['risk=false (confirmed)']);
});

test('enter opens the log, esc goes back, ? shows the help', async () => {
	const rendered = renderWithStore(<App onQuit={() => undefined} />, {
		events: [
			...running,
			{
				type: 'agent_output',
				time,
				agent: 'risk',
				lines: ['fetching prices', 'VaR 0.031'],
				dropped: 0,
			},
		],
	});
	await press(rendered, '\r');
	// Its two lines, after the mark of the attempt that printed them.
	expect(rendered.lastFrame()).toMatch(/risk .* 3 recent lines, following/);
	expect(rendered.lastFrame()).toMatch(
		/── cycle 1 · attempt 1 started \d\d:\d\d:\d\d ──/,
	);
	expect(rendered.lastFrame()).toMatch(/VaR 0\.031/);
	await press(rendered, '\u001B');
	expect(rendered.lastFrame()).toMatch(/AGENT +TAG/);
	await press(rendered, '?');
	expect(rendered.lastFrame()).toMatch(/Keys/);
	expect(rendered.lastFrame()).toMatch(/force a cycle now/);
});

test('a terminal that is too small says so', async () => {
	const rendered = renderWithStore(<App onQuit={() => undefined} />);
	Object.defineProperty(rendered.stdout, 'columns', {
		value: 40,
		configurable: true,
	});
	rendered.stdout.emit('resize');
	await new Promise(resolve => {
		setTimeout(resolve, 100);
	});
	expect(rendered.lastFrame()?.replaceAll(/\s+/g, ' ')).toMatch(
		/Terminal too small \(40×24\); moondev-tui needs 60×15/,
	);
});

test('the key map: quit at once when no cycle runs, Ctrl-C always, scrolling the log', () => {
	const idle = {...createInitialState(uiConfig())};
	expect(
		handleKey({
			view: initialView,
			input: 'q',
			key: noKey,
			store: idle,
			page: 10,
		}).command,
	).toEqual({type: 'quit'});
	expect(
		handleKey({
			view: {...initialView, confirm: {kind: 'quit'}},
			input: 'c',
			key: {...noKey, ctrl: true},
			store: idle,
			page: 10,
		}).command,
	).toEqual({
		type: 'quit',
	});
	const withLines = reduce(idle, {
		type: 'agent_output',
		time,
		agent: 'risk',
		lines: Array.from({length: 50}, (_, index) => `line ${index}`),
		dropped: 0,
	});
	const log = {...initialView, mode: 'log' as const};
	expect(
		handleKey({
			view: log,
			input: '',
			key: {...noKey, pageUp: true},
			store: withLines,
			page: 10,
		}).view.logOffset,
	).toBe(10);
	expect(
		handleKey({view: log, input: 'g', key: noKey, store: withLines, page: 10})
			.view.logOffset,
	).toBe(40);
	expect(
		handleKey({
			view: {...log, logOffset: 40},
			input: 'G',
			key: noKey,
			store: withLines,
			page: 10,
		}).view.logOffset,
	).toBe(0);
	expect(
		handleKey({view: log, input: 'j', key: noKey, store: withLines, page: 10})
			.view.logOffset,
	).toBe(0);
});

test('keys that arrive in one chunk act in order, an Enter among them too', async () => {
	const rendered = renderWithStore(<App onQuit={() => undefined} />, {
		events: [
			...running,
			{
				type: 'agent_output',
				time,
				agent: 'trading',
				lines: ['trading log line'],
				dropped: 0,
			},
		],
	});
	await press(rendered, 'j\r');
	expect(rendered.lastFrame()).toMatch(/trading .* 1 recent lines, following/);
});

test('a scrolled-up log stays on what is being read while new lines arrive', () => {
	const state = reduce(createInitialState(uiConfig()), {
		type: 'agent_output',
		time,
		agent: 'risk',
		lines: Array.from({length: 30}, (_, index) => `line ${index}`),
		dropped: 0,
	});
	const scrolled = handleKey({
		view: {...initialView, mode: 'log'},
		input: 'k',
		key: noKey,
		store: state,
		page: 10,
	}).view;
	expect(scrolled).toMatchObject({logOffset: 1, logAnchor: 30});
	const more = handleKey({
		view: scrolled,
		input: 'k',
		key: noKey,
		store: reduce(state, {
			type: 'agent_output',
			time,
			agent: 'risk',
			lines: ['new'],
			dropped: 0,
		}),
		page: 10,
	}).view;
	expect(more).toMatchObject({logOffset: 2, logAnchor: 30});
	expect(
		handleKey({view: more, input: 'G', key: noKey, store: state, page: 10})
			.view,
	).toMatchObject({logOffset: 0, logAnchor: undefined});
});

test('x on an agent that is not running says there is nothing to cancel, until the next key', async () => {
	const rendered = renderWithStore(<App onQuit={() => undefined} />, {
		events: running,
	});
	await press(rendered, 'j');
	await press(rendered, 'x');
	expect(rendered.lastFrame()).toMatch(
		/trading is not running: nothing to cancel/,
	);
	expect(rendered.calls).toEqual([]);
	await press(rendered, 'k');
	expect(rendered.lastFrame()).not.toMatch(/nothing to cancel/);
	expect(rendered.lastFrame()).toMatch(/x cancel/);
});

test('the cancel question goes away when its agent ends by itself', async () => {
	const rendered = renderWithStore(<App onQuit={() => undefined} />, {
		events: running,
	});
	await press(rendered, 'x');
	expect(rendered.lastFrame()).toMatch(/Cancel risk\? \(y\/n\)/);
	rendered.store.getState().apply({
		type: 'agent_end',
		time,
		cycle: 1,
		agent: 'risk',
		status: 'success',
		duration_s: 1,
		attempts: 1,
		error: null,
	});
	await waitFor(
		() => !(rendered.lastFrame() ?? '').includes('Cancel risk?'),
		5000,
		'the question to go',
	);
	// A y typed a moment too late cancels nothing.
	await press(rendered, 'y');
	expect(rendered.calls).toEqual([]);
});

test('/ in the log view searches: typed keys are the query (q and p too), enter shows the newest match highlighted, n goes to an older one', async () => {
	const output: EngineEvent = {
		type: 'agent_output',
		time,
		agent: 'risk',
		lines: [
			'price fetched',
			'order filled at 101',
			...Array.from({length: 40}, (_, index) => `noise ${index}`),
			'ORDER FILLED at 102',
			...Array.from({length: 5}, (_, index) => `tail ${index}`),
		],
		dropped: 0,
	};
	const rendered = renderWithStore(<App onQuit={() => undefined} />, {
		events: [...running, output],
	});
	await press(rendered, '\r');
	expect(rendered.lastFrame()).toMatch(/tail 4/);
	await press(rendered, '/');
	for (const character of 'fill') {
		await press(rendered, character);
	}

	expect(rendered.lastFrame()).toMatch(/\/fill▏/);
	await press(rendered, '\r');
	// The newest match is the bottom line, highlighted; the rest of the log follows no more.
	const newest = rendered.lastFrame() ?? '';
	expect(newest).toMatch(/ORDER FILLED at 102/);
	expect(newest).not.toMatch(/tail 0/);
	expect(newest).toMatch(/scrolled up 5/);
	await press(rendered, 'n');
	expect(rendered.lastFrame()).toMatch(/order filled at 101/);
	expect(rendered.lastFrame()).toMatch(/scrolled up 46/);
	// Wraps around to the newest again.
	await press(rendered, 'n');
	expect(rendered.lastFrame()).toMatch(/scrolled up 5/);
	// No match: said, nothing moves; q typed into a query quits nothing.
	await press(rendered, '/');
	await press(rendered, 'q');
	await press(rendered, 'z');
	await press(rendered, '\r');
	expect(rendered.lastFrame()).toMatch(/no line matches "qz"/);
	expect(rendered.calls).toEqual([]);
});

test('m opens the agents’ metrics, ↑↓ choose whose sparklines, esc goes back; t shows the log’s times', async () => {
	const rendered = renderWithStore(<App onQuit={() => undefined} />, {
		events: [
			...running,
			{
				type: 'agent_metric',
				time,
				cycle: 1,
				agent: 'risk',
				name: 'var_95',
				value: 0.03,
			},
			{
				type: 'agent_metric',
				time,
				cycle: 1,
				agent: 'risk',
				name: 'var_95',
				value: 0.04,
			},
			{
				type: 'agent_output',
				time,
				agent: 'risk',
				lines: ['prices fetched'],
				dropped: 0,
			},
		],
	});
	await press(rendered, 'm');
	expect(rendered.lastFrame()).toMatch(
		/│ risk +│ var_95 +│ 0\.04 +│ \+0\.01 +│/v,
	);
	expect(rendered.lastFrame()).toMatch(/risk var_95 ▁█/v);
	// The agent table's own keys do nothing here (no toggle); p, f, x and q work in every view.
	await press(rendered, ' ');
	await press(rendered, 'p');
	expect(rendered.calls).toEqual(['pause']);
	await press(rendered, '\u001B');
	expect(rendered.lastFrame()).toMatch(/AGENT/v);
	await press(rendered, '\r');
	expect(rendered.lastFrame()).not.toMatch(/\d\d:\d\d:\d\d {3}prices fetched/v);
	await press(rendered, 't');
	expect(rendered.lastFrame()).toMatch(/\d\d:\d\d:\d\d {3}prices fetched/v);
});

test('o in the log view asks for the agent’s log in the pager, with the view to come back to; without a log at hand it says so', async () => {
	const opened: Array<{agent: string; mode: string; timestamps: unknown}> = [];
	const rendered = renderWithStore(
		<App
			onQuit={() => undefined}
			onOpenLog={(agent, view) => {
				opened.push({agent, mode: view.mode, timestamps: view.timestamps});
			}}
		/>,
		{events: running},
	);
	// Not in the agent table: o is a key of the log view.
	await press(rendered, 'o', 100);
	expect(opened).toEqual([]);
	await press(rendered, '\r');
	await press(rendered, 't');
	await press(rendered, 'o', 100);
	expect(opened).toEqual([{agent: 'risk', mode: 'log', timestamps: true}]);
	expect(rendered.calls).toEqual([]);

	const nowhere = renderWithStore(<App onQuit={() => undefined} />, {
		events: running,
	});
	await press(nowhere, '\r');
	await press(nowhere, 'o');
	expect(nowhere.lastFrame()).toMatch(/no log file here to open/);
});

test('the app starts in the view it is given: back from the pager, the log view and its word', () => {
	const rendered = renderWithStore(
		<App
			initialView={{
				...initialView,
				mode: 'log',
				notice: 'no pager "nope": set $PAGER',
			}}
			onQuit={() => undefined}
		/>,
		{events: running},
	);
	expect(rendered.lastFrame()).toMatch(/risk .* recent lines/);
	expect(rendered.lastFrame()).toMatch(/no pager "nope": set \$PAGER/);
});
