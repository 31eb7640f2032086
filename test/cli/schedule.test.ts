import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
	fixtureCommand,
	parseJsonLines,
	runCli,
	temporaryDirectory,
} from '../helpers/index.js';

/* Schedules from the command line: the state file carries each agent's last start across runs. */

function writeConfig(raw: Record<string, unknown>) {
	const dir = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({orchestrator: {killGraceSeconds: 1}, ...raw}),
	);
	return {dir, file};
}

describe('every and cron from the command line', () => {
	test('every "1h": runs in the first --once run and is not_due in the second (the state file keeps its start)', async () => {
		const {dir, file} = writeConfig({
			agents: {
				risk: {
					command: fixtureCommand('say.mjs', '::moondev::{"type":"pass"}'),
					enabled: true,
					critical: true,
					requireVerdict: true,
				},
				hourly: {
					command: fixtureCommand('say.mjs', 'hello'),
					enabled: true,
					every: '1h',
				},
				always: {command: fixtureCommand('say.mjs', 'hi'), enabled: true},
			},
		});
		// Each run gets its own HOME and XDG folders (runCli): only the config's folder is shared.
		const first = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(first.stderr).toBe('');
		expect(first.exitCode).toBe(0);
		const firstEvents = parseJsonLines(first.stdout);
		expect(
			firstEvents.findLast(event => event.type === 'cycle_end'),
		).toMatchObject({
			cycle: 1,
			results: {risk: 'success', hourly: 'success', always: 'success'},
		});
		const state = JSON.parse(
			readFileSync(
				path.join(dir, 'data', 'orchestrator', 'state.json'),
				'utf8',
			),
		) as {agents: Record<string, {lastStart?: number}>};
		const started = firstEvents.find(
			event => event.type === 'agent_start' && event.agent === 'hourly',
		);
		expect(state.agents.hourly?.lastStart).toBe(
			Date.parse(started?.time as string),
		);

		const second = await runCli([
			'--headless',
			'--once',
			'--json',
			'--config',
			file,
		]);
		expect(second.stderr).toBe('');
		// Not due is no failure: exit 0.
		expect(second.exitCode).toBe(0);
		const secondEvents = parseJsonLines(second.stdout);
		expect(secondEvents.filter(event => event.agent === 'hourly')).toEqual([
			{
				type: 'agent_end',
				time: expect.any(String) as unknown,
				cycle: 2,
				agent: 'hourly',
				status: 'not_due',
				duration_s: 0,
				attempts: 0,
				error: null,
			},
		]);
		expect(
			secondEvents.findLast(event => event.type === 'cycle_end'),
		).toMatchObject({
			cycle: 2,
			results: {risk: 'success', hourly: 'not_due', always: 'success'},
		});
		// The internal event with the next due time never reaches --json.
		expect(secondEvents.some(event => event.type === 'agent_not_due')).toBe(
			false,
		);

		// Text mode says when it is next due (local HH:MM, an hour after its start).
		const third = await runCli(['--headless', '--once', '--config', file]);
		expect(third.exitCode).toBe(0);
		const start = new Date(Date.parse(started?.time as string) + 3_600_000);
		const hhmm = [start.getHours(), start.getMinutes()]
			.map(part => String(part).padStart(2, '0'))
			.join(':');
		expect(third.stdout).toMatch(
			new RegExp(
				String.raw`\d\d:\d\d:\d\d hourly: ◷ not due · next (\w{3} )?${hhmm}\n`,
				'v',
			),
		);
		expect(third.stdout).toContain('hourly     ◷ not_due');
	});

	test('a schedule on a critical agent is a config error (exit 2) naming the key', async () => {
		const {file} = writeConfig({
			agents: {
				risk: {
					command: 'true',
					enabled: true,
					critical: true,
					cron: '*/5 * * * *',
				},
			},
		});
		const result = await runCli(['--headless', '--once', '--config', file]);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toContain(
			'agents.risk.cron: a critical agent cannot have a schedule',
		);
	});

	test('an invalid cron expression is a config error naming agents.<name>.cron and what is wrong', async () => {
		const {file} = writeConfig({
			agents: {news: {command: 'true', enabled: true, cron: '0 9 * * 1-5 *'}},
		});
		const result = await runCli(['validate', '--config', file]);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toContain(
			'agents.news.cron: "0 9 * * 1-5 *": expected 5 fields (minute hour day-of-month month day-of-week), got 6',
		);
	});

	test('validate shows the schedule', async () => {
		const {file} = writeConfig({
			agents: {
				hourly: {command: 'true', enabled: true, every: '1h'},
				open: {command: 'true', enabled: true, cron: '30 9 * * mon-fri'},
			},
		});
		const result = await runCli(['validate', '--config', file]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toContain(
			'runs when due: every 1h, since its last start',
		);
		expect(result.stdout).toContain(
			'runs when due: cron 30 9 * * mon-fri (local time), since its last start',
		);
		const json = await runCli(['validate', '--json', '--config', file]);
		const {agents} = JSON.parse(json.stdout) as {
			agents: Array<{schedule: unknown}>;
		};
		expect(agents.map(agent => agent.schedule)).toEqual([
			{kind: 'every', text: '1h', seconds: 3600},
			{kind: 'cron', text: '30 9 * * mon-fri'},
		]);
	});
});
