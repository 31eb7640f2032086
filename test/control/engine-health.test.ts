import {describe, expect, test} from 'vitest';
import {engineHealth} from '../../source/control/engine-health.js';
import type {EngineEvent} from '../../source/contract/events.js';
import {reduce} from '../../source/store/reduce.js';
import {createInitialState} from '../../source/store/state.js';
import {buildConfig} from '../helpers/index.js';

const time = '2026-11-25T10:00:00.000Z';
const now = Date.parse(time);

function stateAfter(events: EngineEvent[]) {
	const config = buildConfig({
		agents: {
			risk: {command: ['true'], critical: true, enabled: true},
			news: {command: ['true'], enabled: true},
		},
	});
	return events.reduce(reduce, createInitialState(config));
}

const engine = {
	pid: 7,
	now,
	lostLocks: [],
	lastProgressAt: now - 1000,
	startedAt: now - 60_000,
	staleAfterMs: 10_000,
};

const haltedCycle = (status: 'halted' | 'failed'): EngineEvent[] => [
	{type: 'cycle_start', time, cycle: 3},
	{
		type: 'agent_end',
		time,
		cycle: 3,
		agent: 'risk',
		status,
		duration_s: 1,
		attempts: 1,
		error: status === 'failed' ? 'exit 1' : null,
	},
	{type: 'halt', time, cycle: 3, agent: 'risk', reason: 'r'},
	{
		type: 'cycle_end',
		time,
		cycle: 3,
		duration_s: 1,
		halted: true,
		results: {risk: status, news: 'skipped'},
	},
];

describe('engineHealth', () => {
	test('healthy while cycles go on with the risk check', () => {
		expect(engineHealth(stateAfter([]), engine)).toEqual({
			healthy: true,
			body: {
				status: 'ok',
				reasons: [],
				pid: 7,
				cycle: 0,
				running: false,
				paused: false,
				last_progress: new Date(now - 1000).toISOString(),
			},
		});
	});

	test('a halt the risk check asked for is the check working; one because it could not run is not', () => {
		expect(
			engineHealth(stateAfter(haltedCycle('halted')), engine).healthy,
		).toBe(true);
		const failed = engineHealth(stateAfter(haltedCycle('failed')), engine);
		expect(failed.healthy).toBe(false);
		expect(failed.body.reasons).toEqual([
			'cycle 3 halted: critical agent risk could not run (failed)',
		]);
	});

	test('a critical agent off, a lost lock, and a loop with no sign of life are each unhealthy', () => {
		const off = stateAfter([
			{
				type: 'agent_toggle',
				time,
				agent: 'risk',
				enabled: false,
				persist: false,
			},
		]);
		expect(
			engineHealth(off, {
				...engine,
				lostLocks: ['the lock of /m'],
				lastProgressAt: now - 11_000,
			}).body.reasons,
		).toEqual([
			'critical agent risk is off',
			'lost the lock of /m',
			'no cycle or agent has started or ended for 11 s',
		]);
		// Before any progress, the time is counted from the engine's start.
		expect(
			engineHealth(stateAfter([]), {...engine, lastProgressAt: undefined}).body
				.reasons,
		).toEqual(['no cycle or agent has started or ended for 60 s']);
	});
});
