import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {
	cliPath,
	fixture,
	isolatedEnv,
	temporaryDirectory,
} from '../helpers/index.js';
import {agentColumns, columnLabels} from '../../source/ui/columns.js';
import {hasTmux, startTerminal} from '../helpers/tmux.js';

/*
The TUI in a real terminal at each size from the minimum (60×15) up, and after resizes: no line
is wider than the terminal (in terminal columns: every character the screen draws is one), the
header does not wrap (a long config path included), and the selection marker, the agents' names
and their states are on screen.
*/

const names = [
	'risk',
	'trading',
	'news',
	'sentiment',
	'copybot',
	'whale-watcher',
	'arbitrage',
] as const;

/** A config in a deep folder, so its path is longer than any header; trading runs for minutes. */
function writeConfig() {
	const dir = path.join(
		temporaryDirectory(),
		'a-rather-long-folder-name-for-the-trading-desk',
		'strategies',
		'production-configs',
	);
	mkdirSync(dir, {recursive: true});
	const steps = fixture('steps.mjs');
	const quick = (label: string) => ['node', steps, label, '3', '100'];
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				sleepBetweenRunsMinutes: 10,
				killGraceSeconds: 1,
				metricsExportDir: path.join(dir, 'metrics'),
			},
			agents: {
				risk: {command: quick('risk'), enabled: true, critical: true},
				trading: {
					command: ['node', steps, 'trading', '3000', '100'],
					enabled: true,
				},
				news: {command: quick('news'), enabled: true},
				sentiment: {command: quick('sentiment'), enabled: true},
				copybot: {command: quick('copybot'), enabled: false},
				'whale-watcher': {command: quick('whale'), enabled: true},
				arbitrage: {command: quick('arbitrage'), enabled: true},
			},
		}),
	);
	return file;
}

/** The tmux session running the command with this config (the helper names it at random). */
function sessionOf(file: string): string {
	const panes = execFileSync(
		'tmux',
		['list-panes', '-a', '-F', '#{session_name}\t#{pane_start_command}'],
		{encoding: 'utf8'},
	);
	const session = panes
		.split('\n')
		.find(line => line.includes(file))
		?.split('\t')[0];
	if (!session) {
		throw new Error(`no tmux session runs ${file}`);
	}

	return session;
}

/** The screen with the lines the terminal wrapped joined again: a wrapped line shows as too long. */
function joinedScreen(session: string): string[] {
	return execFileSync('tmux', ['capture-pane', '-p', '-J', '-t', session], {
		encoding: 'utf8',
	})
		.replace(/\n$/v, '')
		.split('\n');
}

/** Terminal columns of a line: every character the screen draws is one column (no wide ones). */
const columnsOf = (line: string) => [...line].length;

const states =
	/\b(?:idle|queued|running|retrying|success|failed|timeout|cancelled|halted|skipped|disabled|not due)\b/v;

/** Every reason the screen is not whole at that size; none when it is. */
function problems(
	session: string,
	columns: number,
	rows: number,
	selected: string,
): string[] {
	const found: string[] = [];
	const lines = joinedScreen(session);
	for (const line of lines) {
		if (columnsOf(line) > columns) {
			found.push(`a line of ${columnsOf(line)} columns: ${line}`);
		}
	}

	if (lines.length > rows) {
		found.push(`${lines.length} lines`);
	}

	// The header on the first line, whole, with the blank line under it, then the labels.
	if (!/^moondev-tui +cycle 1 RUNNING/v.test(lines[0] ?? '')) {
		found.push(`the header: ${lines[0]}`);
	}

	if ((lines[1] ?? '').trim() !== '' || !/^ {4}AGENT/v.test(lines[2] ?? '')) {
		found.push(`under the header: ${lines[1]} / ${lines[2]}`);
	}

	// The columns of this width (so a frame of another size, cut by the terminal, does not pass).
	const labels = (line: string) =>
		line.split(/\s+/v).filter(word => word !== '' && !/^[↑↓]\d+$/v.test(word));
	if (
		labels(lines[2] ?? '').join(' ') !==
		labels(columnLabels(agentColumns(columns))).join(' ')
	) {
		found.push(`the labels: ${lines[2]}`);
	}

	const agentRows = lines.filter(line => /^[› ] \S [\w\-…]+ /v.test(line));
	const marked = agentRows.filter(line => line.startsWith('›'));
	if (marked.length !== 1 || !marked[0]?.includes(` ${selected} `)) {
		found.push(`the selection: ${marked.join(' / ')}`);
	}

	if (agentRows.length < 4) {
		found.push(`${agentRows.length} agents`);
	}

	for (const row of agentRows) {
		const name = /^[› ] \S ([\w\-…]+) /v.exec(row)?.[1] ?? '';
		if (!names.some(each => each.startsWith(name.replace('…', '')))) {
			found.push(`a name: ${row}`);
		}

		if (!states.test(row)) {
			found.push(`a state: ${row}`);
		}
	}

	if (!/^\S.*\? help +q quit$/v.test(lines.findLast(Boolean) ?? '')) {
		found.push(`the footer: ${lines.findLast(Boolean)}`);
	}

	// Nothing of an earlier, wider frame is left over.
	if (lines.filter(line => line.includes('moondev-tui')).length !== 1) {
		found.push('a header left over');
	}

	return found;
}

/** Waits until the screen is whole at that size; fails with what is wrong and the screen. */
async function expectWhole(
	session: string,
	size: {columns: number; rows: number},
	selected = 'risk',
) {
	const deadline = Date.now() + 15_000;
	let last: string[] = [];
	while (Date.now() < deadline) {
		last = problems(session, size.columns, size.rows, selected);
		if (last.length === 0) {
			return;
		}

		await new Promise(resolve => {
			setTimeout(resolve, 100);
		});
	}

	expect(
		last,
		`at ${size.columns}×${size.rows}:\n${joinedScreen(session).join('\n')}`,
	).toEqual([]);
}

/** Quits at once and waits for the exit: the temporary folders go only after the TUI has. */
async function quit(terminal: ReturnType<typeof startTerminal>) {
	terminal.keys('C-c');
	expect(await terminal.waitFor(/EXIT=\d+/v, 20_000)).toMatch(/EXIT=0/v);
}

function start(columns: number, rows: number) {
	const file = writeConfig();
	const terminal = startTerminal(
		`${process.execPath} ${cliPath} --config ${file}`,
		{columns, rows, env: isolatedEnv()},
	);
	return {terminal, session: sessionOf(file)};
}

// Skipped only on a developer machine without tmux; CI installs it and always runs this.
describe.skipIf(!hasTmux() && !process.env.CI)(
	'the TUI at every size from 60×15 up',
	() => {
		test.each([
			[60, 15],
			[70, 20],
			[80, 24],
			[120, 40],
		])(
			'at %i×%i: no line wraps; the marker, the names and the states show; the selection stays in view',
			async (columns, rows) => {
				const {terminal, session} = start(columns, rows);
				await terminal.waitFor(/› \S risk .*success/v);
				await terminal.waitFor(/trading .*running/v);
				await expectWhole(session, {columns, rows});

				// Down to the last agent: the list scrolls to keep it in view, marked.
				for (const _ of names.slice(1)) {
					terminal.keys('j');
				}

				await terminal.waitFor(/^› \S arbitrage /mv);
				await expectWhole(session, {columns, rows}, 'arbitrage');
				await quit(terminal);
			},
			60_000,
		);

		test('the help at 60×15 fits: every key, no line wider than the terminal', async () => {
			const {terminal, session} = start(60, 15);
			await terminal.waitFor(/trading .*running/v);
			terminal.keys('?');
			const screen = await terminal.waitFor(/Keys — esc or \? to close/v);
			for (const keys of [
				'↑ ↓ / k j',
				'space',
				'enter l / m',
				'PgUp PgDn',
				'g G',
				'/ n N t',
				'esc',
				'Ctrl-C',
			]) {
				expect(screen).toContain(keys);
			}

			const lines = joinedScreen(session);
			expect(lines.filter(line => columnsOf(line) > 60)).toEqual([]);
			expect(lines[0]).toMatch(/^moondev-tui +cycle 1 RUNNING/v);
			expect(lines.findLast(Boolean)).toMatch(/\? help +q quit$/v);
			terminal.keys('Escape');
			await expectWhole(session, {columns: 60, rows: 15});
			await quit(terminal);
		}, 60_000);

		test('after resizes, down to the minimum and back up, the screen is whole at each size', async () => {
			const {terminal, session} = start(120, 40);
			await terminal.waitFor(/trading .*running/v);
			await expectWhole(session, {columns: 120, rows: 40});
			for (const [columns, rows] of [
				[60, 15],
				[80, 24],
				[70, 20],
				[120, 40],
			] as const) {
				execFileSync('tmux', [
					'resize-window',
					'-t',
					session,
					'-x',
					String(columns),
					'-y',
					String(rows),
				]);
				await expectWhole(session, {columns, rows});
			}

			// Below the minimum: the message; back at it, the screen.
			execFileSync('tmux', [
				'resize-window',
				'-t',
				session,
				'-x',
				'59',
				'-y',
				'15',
			]);
			await terminal.waitFor(
				/Terminal too small \(59×15\); moondev-tui needs 60×15/v,
			);
			execFileSync('tmux', [
				'resize-window',
				'-t',
				session,
				'-x',
				'60',
				'-y',
				'15',
			]);
			await expectWhole(session, {columns: 60, rows: 15});
			await quit(terminal);
		}, 60_000);
	},
);
