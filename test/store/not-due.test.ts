import {expect, test} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {reduce} from '../../source/store/reduce.js';
import {createInitialState} from '../../source/store/state.js';
import {buildConfig} from '../helpers/index.js';

const time = '2026-11-02T10:15:00.000Z';
const next = '2026-11-02T11:00:00.000Z';

test('a not-due agent: its status, the next due time, and its last run’s time kept', () => {
	const config = buildConfig({
		agents: {hourly: {command: 'x', enabled: true, every: '1h'}},
	});
	const events: EngineEvent[] = [
		{type: 'cycle_start', time, cycle: 1},
		{type: 'agent_start', time, cycle: 1, agent: 'hourly', attempt: 1},
		{
			type: 'agent_end',
			time,
			cycle: 1,
			agent: 'hourly',
			status: 'success',
			duration_s: 3,
			attempts: 1,
			error: null,
		},
		{type: 'cycle_start', time, cycle: 2},
		{type: 'agent_not_due', time, cycle: 2, agent: 'hourly', next_due: next},
		{
			type: 'agent_end',
			time,
			cycle: 2,
			agent: 'hourly',
			status: 'not_due',
			duration_s: 0,
			attempts: 0,
			error: null,
		},
	];
	const state = events.reduce(reduce, createInitialState(config));
	expect(state.agents.hourly).toMatchObject({
		status: 'not_due',
		nextDueAt: Date.parse(next),
		lastDurationMs: 3000,
		error: undefined,
	});

	// Never again (a cron expression past its last date): no next time.
	const never = reduce(state, {
		type: 'agent_not_due',
		time,
		cycle: 3,
		agent: 'hourly',
		next_due: null,
	});
	expect(never.agents.hourly?.nextDueAt).toBeUndefined();
	// Another agent's state is untouched.
	expect(reduce(state, {...events[4]!, agent: 'nobody'} as EngineEvent)).toBe(
		state,
	);
});
