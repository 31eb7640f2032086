import {expect, test} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {recentLinesCapacity} from '../../source/contract/capacities.js';
import {createAppStore} from '../../source/store/create-app-store.js';
import {reduce} from '../../source/store/reduce.js';
import {createInitialState} from '../../source/store/state.js';
import {buildConfig} from '../helpers/index.js';
import {createRecordingControls} from '../helpers/render.js';

const time = '2026-11-02T10:00:00.000Z';
const config = () =>
	buildConfig({
		agents: {
			risk: {command: 'x', enabled: true, critical: true},
			news: {command: 'x', enabled: true},
			off: {command: 'x'},
		},
	});

function applyAll(events: EngineEvent[]) {
	return events.reduce(reduce, createInitialState(config()));
}

test('a cycle start queues the enabled agents and marks the rest disabled', () => {
	const state = applyAll([{type: 'cycle_start', time, cycle: 4}]);
	expect(state.cycle).toMatchObject({number: 4, running: true});
	expect(state.agents.risk?.status).toBe('queued');
	expect(state.agents.off?.status).toBe('disabled');
});

test('an agent goes running, makes progress, retries and ends', () => {
	const state = applyAll([
		{type: 'cycle_start', time, cycle: 1},
		{
			type: 'phase_start',
			time,
			cycle: 1,
			phase: 'critical',
			mode: 'sequential',
			agents: ['risk'],
		},
		{type: 'agent_start', time, cycle: 1, agent: 'risk', attempt: 1},
		{
			type: 'agent_progress',
			time,
			cycle: 1,
			agent: 'risk',
			percent: 37,
			message: 'prices',
		},
		{
			type: 'agent_retry',
			time,
			cycle: 1,
			agent: 'risk',
			attempt: 2,
			delay_s: 2,
			error: 'exit code 1',
		},
	]);
	expect(state.cycle).toMatchObject({
		phase: 'critical',
		phaseIndex: 1,
		phaseCount: 2,
	});
	expect(state.agents.risk).toMatchObject({
		status: 'retrying',
		attempt: 1,
		percent: 37,
		message: 'prices',
		error: 'exit code 1',
	});
	const ended = [
		{type: 'agent_start', time, cycle: 1, agent: 'risk', attempt: 2},
		{
			type: 'agent_end',
			time,
			cycle: 1,
			agent: 'risk',
			status: 'success',
			duration_s: 4.5,
			attempts: 2,
			error: null,
		},
	] as const;
	const final = reduce(reduce(state, ended[0]), ended[1]);
	expect(final.agents.risk).toMatchObject({
		status: 'success',
		attempt: 2,
		lastDurationMs: 4500,
		percent: 100,
		error: undefined,
	});
});

test('unchanged agents stay identical, so their rows do not re-render', () => {
	const before = createInitialState(config());
	const after = reduce(before, {
		type: 'agent_progress',
		time,
		cycle: 1,
		agent: 'risk',
		percent: 10,
		message: null,
	});
	expect(after.agents.news).toBe(before.agents.news);
	expect(after.agents.risk).not.toBe(before.agents.risk);
	expect(after.cycle).toBe(before.cycle);
});

test('output is kept as a ring of recent lines, with counts of all the rest', () => {
	const lines = Array.from({length: 400}, (_, index) => `line ${index}`);
	const state = applyAll([
		{type: 'agent_output', time, agent: 'news', lines, dropped: 0},
		{type: 'agent_output', time, agent: 'news', lines, dropped: 1000},
	]);
	const {news} = state.agents;
	expect(news?.recentLines).toHaveLength(recentLinesCapacity);
	expect(news?.recentLines.at(-1)?.text).toBe('line 399');
	expect(news?.totalLines).toBe(1800);
	expect(news?.droppedLines).toBe(1000);
});

test('halts, alerts, schedules and cycle ends', () => {
	const state = applyAll([
		{type: 'cycle_start', time, cycle: 1},
		{type: 'alert', time, level: 'critical', message: 'halted', agent: 'risk'},
		{type: 'halt', time, cycle: 1, agent: 'risk', reason: 'VaR over limit'},
		{
			type: 'cycle_end',
			time,
			cycle: 1,
			duration_s: 3,
			halted: true,
			results: {risk: 'halted'},
		},
		{
			type: 'schedule',
			time,
			paused: true,
			next_run: '2026-11-02T10:15:00.000Z',
			forced: false,
		},
	]);
	expect(state.cycle).toMatchObject({
		running: false,
		halted: true,
		haltReason: 'VaR over limit',
		haltedBy: 'risk',
		paused: true,
		nextRunAt: Date.parse('2026-11-02T10:15:00.000Z'),
		recentDurationsMs: [3000],
	});
	expect(state.alerts).toEqual([
		{
			time: Date.parse(time),
			level: 'critical',
			message: 'halted',
			agent: 'risk',
		},
	]);
});

test('the actions forward to the engine controls, and the engine answers with events', () => {
	const {calls, controls} = createRecordingControls();
	const store = createAppStore({config: config(), controls});
	store.getState().togglePause();
	store.getState().apply({
		type: 'schedule',
		time,
		paused: true,
		next_run: null,
		forced: false,
	});
	store.getState().togglePause();
	store.getState().toggleAgent('news');
	store.getState().forceCycle();
	store.getState().cancelAgent('risk');
	expect(calls).toEqual([
		'pause',
		'resume',
		'news=false',
		'force',
		'cancel risk',
	]);
	expect(store.getState().agents.news?.enabled).toBe(true);
	store.getState().apply({
		type: 'agent_toggle',
		time,
		agent: 'news',
		enabled: false,
		persist: true,
	});
	expect(store.getState().agents.news?.enabled).toBe(false);
});

test('a reloaded config lays the agents out anew: kept ones keep what they showed, new ones start idle, gone ones leave', () => {
	const state = applyAll([
		{type: 'agent_metric', time, cycle: 1, agent: 'news', name: 'n', value: 3},
		{
			type: 'agent_end',
			time,
			cycle: 1,
			agent: 'news',
			status: 'success',
			duration_s: 2,
			attempts: 1,
			error: null,
		},
		{
			type: 'config_applied',
			time,
			agents: [
				{
					name: 'fresh',
					critical: false,
					phase: 'parallel',
					enabled: true,
					maxAttempts: 1,
				},
				{
					name: 'news',
					critical: false,
					phase: 'late',
					enabled: false,
					maxAttempts: 3,
				},
				{
					name: 'risk',
					critical: true,
					phase: 'critical',
					enabled: true,
					maxAttempts: 4,
				},
			],
			phases: ['critical', 'parallel', 'late'],
		},
	]);
	expect(state.agentOrder).toEqual(['fresh', 'news', 'risk']);
	expect(Object.keys(state.agents)).toEqual(['fresh', 'news', 'risk']);
	expect(state.agents.news).toMatchObject({
		status: 'success',
		lastDurationMs: 2000,
		metrics: {n: 3},
		phase: 'late',
		enabled: false,
		maxAttempts: 3,
	});
	expect(state.agents.fresh).toMatchObject({
		status: 'idle',
		enabled: true,
		phase: 'parallel',
		health: {status: 'unknown'},
	});
	expect(state.phaseNames).toEqual(['critical', 'parallel', 'late']);
	expect(state.cycle.phaseCount).toBe(3);
});

test('a running agent’s usage is shown while it runs, and gone when it ends; a sample for one that is not running changes nothing', () => {
	const usage: EngineEvent = {
		type: 'agent_usage',
		time,
		usage: {
			risk: {cpu_percent: 12.5, memory_bytes: 45 * 1024 * 1024},
			news: {cpu_percent: 3, memory_bytes: 1024},
		},
	};
	const running = applyAll([
		{type: 'cycle_start', time, cycle: 1},
		{type: 'agent_start', time, cycle: 1, agent: 'risk', attempt: 1},
		usage,
	]);
	expect(running.agents.risk?.usage).toEqual({
		cpuPercent: 12.5,
		memoryBytes: 45 * 1024 * 1024,
	});
	expect(running.agents.news?.usage).toBeUndefined();
	const ended = reduce(running, {
		type: 'agent_end',
		time,
		cycle: 1,
		agent: 'risk',
		status: 'success',
		duration_s: 1,
		attempts: 1,
		error: null,
	});
	expect(ended.agents.risk?.usage).toBeUndefined();
});

test('the log keeps whether a line came from stderr, and marks each attempt’s start and end', () => {
	const state = applyAll([
		{type: 'cycle_start', time, cycle: 2},
		{type: 'agent_start', time, cycle: 2, agent: 'news', attempt: 1},
		{
			type: 'agent_output',
			time,
			agent: 'news',
			lines: ['fetching', 'rate limited'],
			stderr: [1],
			dropped: 0,
		},
		{
			type: 'attempt_end',
			time,
			cycle: 2,
			agent: 'news',
			attempt: 1,
			status: 'failed',
			duration_s: 1.5,
			error: 'exit code 1',
			malformed_lines: 0,
		},
	]);
	const [started, ...rest] = state.agents.news?.recentLines ?? [];
	expect(started?.kind).toBe('mark');
	expect(started?.text).toMatch(/^cycle 2 · attempt 1 started \d\d:\d\d:\d\d$/);
	expect(rest).toEqual([
		{kind: 'out', text: 'fetching', at: Date.parse(time)},
		{kind: 'err', text: 'rate limited', at: Date.parse(time)},
		{
			kind: 'mark',
			text: 'attempt 1 ended: failed in 1.5s (exit code 1)',
			at: Date.parse(time),
		},
	]);
	expect(state.agents.news?.totalLines).toBe(4);
});
