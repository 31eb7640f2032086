import {expect, test} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {statusOf} from '../../source/control/engine-status.js';
import {formatStatus} from '../../source/control/format-status.js';
import {reduce} from '../../source/store/reduce.js';
import {createInitialState} from '../../source/store/state.js';
import {buildConfig} from '../helpers/index.js';

test('`status` of a not-due agent: next_due in JSON, "not due · next HH:MM" as text', () => {
	const time = new Date().toISOString();
	const next = new Date(Date.now() + 30 * 60_000);
	const events: EngineEvent[] = [
		{type: 'cycle_start', time, cycle: 2},
		{
			type: 'agent_not_due',
			time,
			cycle: 2,
			agent: 'hourly',
			next_due: next.toISOString(),
		},
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
	const state = events.reduce(
		reduce,
		createInitialState(
			buildConfig({
				agents: {
					hourly: {command: 'x', enabled: true, every: '1h'},
					always: {command: 'x', enabled: true},
				},
			}),
		),
	);
	const status = statusOf(state, {
		pid: 1,
		version: '0',
		metricsFolder: '/tmp',
		held: [],
	});
	expect(status.agents.map(agent => [agent.name, agent.next_due])).toEqual([
		['hourly', next.toISOString()],
		['always', null],
	]);
	const hhmm = [next.getHours(), next.getMinutes()]
		.map(part => String(part).padStart(2, '0'))
		.join(':');
	expect(formatStatus(status)).toMatch(
		new RegExp(
			String.raw`^hourly +not due · next (\w{3} )?${hhmm} +unknown`,
			'mv',
		),
	);
});
