import {render} from 'ink-testing-library';
import {expect, test} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {AlertsPanel} from '../../source/ui/alerts-panel.js';
import {HealthBadge} from '../../source/ui/health-badge.js';
import {HelpOverlay, keyHelp} from '../../source/ui/help-overlay.js';
import {ProgressBar} from '../../source/ui/progress-bar.js';
import {Header} from '../../source/ui/header.js';
import {AgentRow} from '../../source/ui/agent-row.js';
import {LogView} from '../../source/ui/log-view.js';
import {sanitizeLine} from '../../source/ui/format.js';
import {renderWithStore} from '../helpers/render.js';

const time = '2026-11-02T10:00:00.000Z';

test.each([
	[0, '░░░░░░░░░░   0%'],
	[37, '████░░░░░░  37%'],
	[100, '██████████ 100%'],
])('a reported bar at %i%%', (percent, frame) => {
	const {lastFrame} = render(
		<ProgressBar percent={percent} isEstimate={false} width={10} />,
	);
	expect(lastFrame()).toBe(frame);
});

test('an estimated bar is shaded and marked with ~', () => {
	const {lastFrame} = render(
		<ProgressBar isEstimate percent={37} width={10} />,
	);
	expect(lastFrame()).toBe('▒▒▒▒░░░░░░ ~37%');
});

test('a bar with nothing known is an empty track', () => {
	const {lastFrame} = render(
		<ProgressBar percent={undefined} isEstimate={false} width={10} />,
	);
	expect(lastFrame()?.trimEnd()).toBe('░░░░░░░░░░');
});

test.each([
	[
		{status: 'healthy', successRate: 98.5, avgDurationS: 42.1},
		'HEALTHY 99% 42.1s',
	],
	[{status: 'degraded', successRate: 90, avgDurationS: 3}, 'DEGRADED 90% 3.0s'],
	[
		{status: 'unhealthy', successRate: 50, avgDurationS: undefined},
		'UNHEALTHY 50%',
	],
	[
		{status: 'unknown', successRate: undefined, avgDurationS: undefined},
		'unknown',
	],
] as const)('the health badge of %o', (health, text) => {
	const {lastFrame} = render(<HealthBadge health={health} />);
	expect(lastFrame()).toBe(text);
});

test('the alerts panel shows the newest first, with time and level words', () => {
	const {lastFrame} = renderWithStore(<AlertsPanel count={2} />, {
		events: [
			{type: 'alert', time, level: 'info', message: 'oldest'},
			{
				type: 'alert',
				time,
				level: 'warning',
				message: 'risk retry attempt 2/4',
				agent: 'risk',
			},
			{
				type: 'alert',
				time,
				level: 'critical',
				message: 'cycle 3 halted by risk: VaR',
				agent: 'risk',
			},
		],
	});
	const lines = lastFrame()?.split('\n') ?? [];
	expect(lines[0]).toBe('ALERTS (3)');
	expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d CRIT cycle 3 halted by risk: VaR$/);
	expect(lines[2]).toMatch(/^\d\d:\d\d:\d\d WARN risk retry attempt 2\/4$/);
	expect(lastFrame()).not.toMatch(/oldest/);
});

test('the help overlay lists every key', () => {
	const {lastFrame} = render(<HelpOverlay />);
	for (const [keys, what] of keyHelp) {
		expect(lastFrame()).toContain(keys);
		expect(lastFrame()).toContain(what);
	}
});

test('the header tells the state: running with its phase, halted with the reason', () => {
	const running = renderWithStore(<Header columns={100} />, {
		events: [
			{type: 'cycle_start', time, cycle: 7},
			{
				type: 'phase_start',
				time,
				cycle: 7,
				phase: 'parallel',
				mode: 'parallel',
				agents: ['trading'],
			},
		],
	});
	expect(running.lastFrame()).toMatch(/cycle 7 RUNNING phase 2\/2 parallel/);
	const halted = renderWithStore(<Header columns={100} />, {
		events: [
			{type: 'cycle_start', time, cycle: 3},
			{type: 'halt', time, cycle: 3, agent: 'risk', reason: 'VaR over limit'},
			{
				type: 'cycle_end',
				time,
				cycle: 3,
				duration_s: 4,
				halted: true,
				results: {},
			},
			{type: 'schedule', time, paused: true, next_run: null, forced: false},
		],
	});
	expect(halted.lastFrame()).toMatch(/cycle 3 PAUSED/);
	expect(halted.lastFrame()).toMatch(/HALTED by risk: VaR over limit/);
	expect(halted.lastFrame()).toMatch(/last 4\.0s · avg 4\.0s/);
});

test('an agent row: status icon, tags, bar, attempt, badge and message', () => {
	const {lastFrame} = renderWithStore(
		<AgentRow isSelected name="risk" now={Date.parse(time)} width={100} />,
		{
			events: [
				{type: 'cycle_start', time, cycle: 1},
				{type: 'agent_start', time, cycle: 1, agent: 'risk', attempt: 1},
				{
					type: 'agent_end',
					time,
					cycle: 1,
					agent: 'risk',
					status: 'timeout',
					duration_s: 30,
					attempts: 4,
					error: 'timed out after 30s',
				},
				{
					type: 'agent_health',
					time,
					agent: 'risk',
					status: 'degraded',
					success_rate: 90,
					avg_duration_s: 12,
				},
			],
		},
	);
	expect(lastFrame()).toMatch(
		/^› ⏱ risk +CRIT on +░{16} +30\.0s +4\/4 +DEGRADED 90% 12\.0s +timeout timed out/,
	);
});

test("an agent's malformed protocol lines are counted on its row", () => {
	const {lastFrame} = renderWithStore(
		<AgentRow
			isSelected={false}
			name="trading"
			now={Date.parse(time)}
			width={120}
		/>,
		{
			events: [
				{type: 'cycle_start', time, cycle: 1},
				{
					type: 'attempt_end',
					time,
					cycle: 1,
					agent: 'trading',
					attempt: 1,
					status: 'success',
					duration_s: 1,
					error: null,
					malformed_lines: 2,
				},
			],
		},
	);
	expect(lastFrame()).toMatch(/⚠ 2 bad protocol lines/);
});

test('a running agent without progress lines gets an estimate from its average', () => {
	const start = Date.parse(time);
	const {lastFrame} = renderWithStore(
		<AgentRow
			name="trading"
			isSelected={false}
			now={start + 5000}
			width={100}
		/>,
		{
			events: [
				{
					type: 'agent_health',
					time,
					agent: 'trading',
					status: 'healthy',
					success_rate: 100,
					avg_duration_s: 10,
				},
				{type: 'cycle_start', time, cycle: 1},
				{type: 'agent_start', time, cycle: 1, agent: 'trading', attempt: 1},
			],
		},
	);
	expect(lastFrame()).toMatch(/▒{8}░{8} +~50% +5\.0s/);
});

test('the log view keeps colours but shows cursor movements escaped, and says what it shows', () => {
	expect(
		sanitizeLine('\u001B[31mred\u001B[39m\u001B[2J\u001B[H\tend\u0007'),
	).toBe(
		'\u001B[31mred\u001B[39m' +
			String.raw`\x1b[2J\x1b[H    end\x07` +
			'\u001B[0m',
	);
	const {lastFrame} = renderWithStore(
		<LogView agent="trading" offset={0} height={6} />,
		{
			events: [
				{
					type: 'agent_output',
					time,
					agent: 'trading',
					lines: ['one', 'two', 'three', 'four', 'five', 'six'],
					dropped: 10,
				},
			],
		},
	);
	const lines = lastFrame()?.split('\n') ?? [];
	expect(lines[0]).toMatch(
		/^trading · idle — 6 recent lines \(10 earlier in the log file\), following$/,
	);
	// Each after a gutter, where a stderr line has its mark.
	expect(lines.slice(1).filter(Boolean)).toEqual([
		'  three',
		'  four',
		'  five',
		'  six',
	]);
});

test('a skipped agent shows no attempt, and a halted one a narrow symbol', () => {
	const {lastFrame} = renderWithStore(
		<>
			<AgentRow
				name="risk"
				isSelected={false}
				now={Date.parse(time)}
				width={100}
			/>
			<AgentRow
				name="trading"
				isSelected={false}
				now={Date.parse(time)}
				width={100}
			/>
		</>,
		{
			events: [
				{type: 'cycle_start', time, cycle: 1},
				{type: 'agent_start', time, cycle: 1, agent: 'risk', attempt: 1},
				{
					type: 'agent_end',
					time,
					cycle: 1,
					agent: 'risk',
					status: 'halted',
					duration_s: 2,
					attempts: 1,
					error: null,
				},
				{
					type: 'agent_end',
					time,
					cycle: 1,
					agent: 'trading',
					status: 'skipped',
					duration_s: 0,
					attempts: 0,
					error: 'cycle halted by risk',
				},
			],
		},
	);
	const [risk, trading] = lastFrame()?.split('\n') ?? [];
	expect(risk).toMatch(/^ {2}■ risk +CRIT/);
	expect(trading).toMatch(
		/^ {2}⊘ trading +para on +░{16} +— {2,}unknown +skipped cycle halt/,
	);
});

test('the log view holds its window when scrolled up and new lines come', () => {
	const lines = Array.from({length: 10}, (_, index) => `line ${index}`);
	const first = renderWithStore(
		<LogView agent="trading" offset={2} anchor={10} height={5} />,
		{
			events: [
				{type: 'agent_output', time, agent: 'trading', lines, dropped: 0},
			],
		},
	);
	expect(first.lastFrame()?.split('\n').slice(1).filter(Boolean)).toEqual([
		'  line 5',
		'  line 6',
		'  line 7',
	]);
	const later = renderWithStore(
		<LogView agent="trading" offset={2} anchor={10} height={5} />,
		{
			events: [
				{type: 'agent_output', time, agent: 'trading', lines, dropped: 0},
				{
					type: 'agent_output',
					time,
					agent: 'trading',
					lines: ['line 10', 'line 11', 'line 12'],
					dropped: 0,
				},
			],
		},
	);
	expect(later.lastFrame()?.split('\n').slice(1).filter(Boolean)).toEqual([
		'  line 5',
		'  line 6',
		'  line 7',
	]);
});

/*
Agent text on screen (issue 10, item 6): fed here raw, as if it came from somewhere other than the
runner (which escapes an agent's words already), every panel shows it escaped on its own line.
*/

const hostile =
	'x\n10:00:00 trading: ✓ success\u001B[2J\u001B[H\u001B]0;pwned\u0007\r\u009B2J\u202Eevil';
const hostileShown = String.raw`x\n10:00:00 trading: ✓ success\x1b[2J\x1b[H\x1b]0;pwned\x07\r\u009b2J\u202eevil`;
const rawOnScreen =
	// eslint-disable-next-line no-control-regex -- control characters are what it finds
	/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;

test("an agent row shows the agent's message escaped, on its one line", () => {
	const {lastFrame} = renderWithStore(
		<AgentRow
			name="trading"
			isSelected={false}
			now={Date.parse(time)}
			width={100}
		/>,
		{
			events: [
				{type: 'cycle_start', time, cycle: 1},
				{type: 'agent_start', time, cycle: 1, agent: 'trading', attempt: 1},
				{
					type: 'agent_progress',
					time,
					cycle: 1,
					agent: 'trading',
					percent: 50,
					message: hostile,
				},
			],
		},
	);
	const frame = lastFrame() ?? '';
	expect(frame).not.toMatch(rawOnScreen);
	expect(frame.split('\n')).toHaveLength(1);
	// As much as the width allows: the newline is shown, the rest of the row stays on it.
	expect(frame).toContain(String.raw`running x\n10:00:0…`);
});

test('a failed agent row shows its error escaped', () => {
	const {lastFrame} = renderWithStore(
		<AgentRow
			name="trading"
			isSelected={false}
			now={Date.parse(time)}
			width={100}
		/>,
		{
			events: [
				{type: 'cycle_start', time, cycle: 1},
				{type: 'agent_start', time, cycle: 1, agent: 'trading', attempt: 1},
				{
					type: 'agent_end',
					time,
					cycle: 1,
					agent: 'trading',
					status: 'failed',
					duration_s: 1,
					attempts: 1,
					error: hostile,
				},
			],
		},
	);
	const frame = lastFrame() ?? '';
	expect(frame).not.toMatch(rawOnScreen);
	expect(frame.split('\n')).toHaveLength(1);
	expect(frame).toContain(String.raw`failed x\n10:00:00…`);
});

test('the alerts panel shows an alert escaped, one line each', () => {
	const {lastFrame} = renderWithStore(<AlertsPanel count={3} />, {
		events: [
			{
				type: 'alert',
				time,
				level: 'warning',
				message: hostile,
				agent: 'trading',
			},
		],
	});
	const frame = lastFrame() ?? '';
	expect(frame).not.toMatch(rawOnScreen);
	const lines = frame.split('\n');
	expect(lines).toHaveLength(2);
	expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d WARN x\\n10:00:00 trading/v);
	expect(lines[1]).toContain(hostileShown);
});

test('the header shows a halt reason escaped', () => {
	const {lastFrame} = renderWithStore(<Header columns={250} />, {
		events: [
			{type: 'cycle_start', time, cycle: 3},
			{type: 'halt', time, cycle: 3, agent: 'risk', reason: hostile},
			{
				type: 'cycle_end',
				time,
				cycle: 3,
				duration_s: 4,
				halted: true,
				results: {},
			},
		],
	});
	const frame = lastFrame() ?? '';
	expect(frame).not.toMatch(rawOnScreen);
	expect(frame.split('\n')).toHaveLength(2);
	expect(frame).toContain(`HALTED by risk: ${hostileShown}`);
});

test('the log view shows a hostile line escaped; only its colours stay', () => {
	const {lastFrame} = renderWithStore(
		<LogView agent="trading" offset={0} height={4} />,
		{
			events: [
				{
					type: 'agent_output',
					time,
					agent: 'trading',
					lines: [`\u001B[31mred\u001B[39m ${hostile.replace('\n', ' ')}`],
					dropped: 0,
				},
			],
		},
	);
	const frame = lastFrame() ?? '';
	// The only escape sequences left are colours.
	// eslint-disable-next-line no-control-regex -- colours are what it removes
	expect(frame.replaceAll(/\u001B\[[\d;]*m/gv, '')).not.toMatch(rawOnScreen);
	expect(frame).toContain(
		String.raw`x 10:00:00 trading: ✓ success\x1b[2J\x1b[H\x1b]0;pwned\x07\r\u009b2J\u202eevil`,
	);
});

test('the log view marks stderr lines and attempt boundaries, and shows each line’s time when asked', () => {
	const events: EngineEvent[] = [
		{type: 'cycle_start', time, cycle: 1},
		{type: 'agent_start', time, cycle: 1, agent: 'trading', attempt: 1},
		{
			type: 'agent_output',
			time,
			agent: 'trading',
			lines: ['placing order', 'rejected: margin'],
			stderr: [1],
			dropped: 0,
		},
	];
	const plain = renderWithStore(
		<LogView agent="trading" offset={0} height={8} />,
		{events},
	);
	const [mark, ...lines] =
		plain.lastFrame()?.split('\n').slice(1).filter(Boolean) ?? [];
	expect(mark).toMatch(
		/^ {2}── cycle 1 · attempt 1 started \d\d:\d\d:\d\d ──$/v,
	);
	expect(lines).toEqual(['  placing order', '│ rejected: margin']);
	const timed = renderWithStore(
		<LogView hasTimestamps agent="trading" offset={0} height={8} />,
		{events},
	);
	expect(timed.lastFrame()?.split('\n').findLast(Boolean)).toMatch(
		/^\d\d:\d\d:\d\d │ rejected: margin$/v,
	);
});
