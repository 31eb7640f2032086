import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {createEventBus} from '../../source/engine/event-bus.js';
import {createMonitor} from '../../source/monitor/create-monitor.js';
import {
	emptyAgentRecord,
	emptyState,
	loadState,
	type MonitorState,
	saveState,
} from '../../source/monitor/state-file.js';
import {buildConfig, temporaryDirectory} from '../helpers/index.js';

/* Each agent's last start, kept in the state file for `every` and `cron` across restarts. */

function setup(initialState: MonitorState = emptyState) {
	const dir = temporaryDirectory();
	const folder = path.join(dir, 'metrics');
	const config = buildConfig(
		{
			orchestrator: {metricsExportDir: folder},
			agents: {
				risk: {command: 'x', enabled: true, critical: true},
				hourly: {command: 'x', enabled: true, every: '1h'},
			},
		},
		dir,
	);
	const bus = createEventBus();
	const monitor = createMonitor({config, emit: bus.emit, initialState});
	bus.listen(monitor.listen);
	return {bus, monitor, folder};
}

const at = (clock: string) => `2026-11-02T${clock}.000Z`;

describe('the last start of each agent', () => {
	test('recorded on a cycle’s first attempt, saved with the cycle, and not counted as an execution when not due', () => {
		const {bus, monitor, folder} = setup();
		expect(monitor.lastStartOf('hourly')).toBeUndefined();

		bus.emit({type: 'cycle_start', time: at('10:00:00'), cycle: 1});
		bus.emit({
			type: 'agent_start',
			time: at('10:00:01'),
			cycle: 1,
			agent: 'hourly',
			attempt: 1,
		});
		// A retry is the same start: the schedule counts from the first attempt.
		bus.emit({
			type: 'agent_start',
			time: at('10:00:09'),
			cycle: 1,
			agent: 'hourly',
			attempt: 2,
		});
		expect(monitor.lastStartOf('hourly')).toBe(Date.parse(at('10:00:01')));
		bus.emit({
			type: 'agent_end',
			time: at('10:00:10'),
			cycle: 1,
			agent: 'hourly',
			status: 'success',
			duration_s: 9,
			attempts: 2,
			error: null,
		});
		bus.emit({
			type: 'cycle_end',
			time: at('10:00:10'),
			cycle: 1,
			duration_s: 10,
			halted: false,
			results: {risk: 'disabled', hourly: 'success'},
		});
		const saved = JSON.parse(
			readFileSync(path.join(folder, 'state.json'), 'utf8'),
		) as MonitorState;
		expect(saved.agents.hourly?.lastStart).toBe(Date.parse(at('10:00:01')));

		// Cycle 2: not due. No start, no execution, no health change.
		bus.emit({type: 'cycle_start', time: at('10:15:00'), cycle: 2});
		bus.emit({
			type: 'agent_not_due',
			time: at('10:15:00'),
			cycle: 2,
			agent: 'hourly',
			next_due: at('11:00:01'),
		});
		bus.emit({
			type: 'agent_end',
			time: at('10:15:00'),
			cycle: 2,
			agent: 'hourly',
			status: 'not_due',
			duration_s: 0,
			attempts: 0,
			error: null,
		});
		bus.emit({
			type: 'cycle_end',
			time: at('10:15:00'),
			cycle: 2,
			duration_s: 0,
			halted: false,
			results: {risk: 'disabled', hourly: 'not_due'},
		});
		expect(monitor.lastStartOf('hourly')).toBe(Date.parse(at('10:00:01')));
		const report = monitor.lastReport();
		expect(report?.metrics.cycle.hourly).toMatchObject({
			status: 'not_due',
			attempts: 0,
		});
		expect(report?.metrics.agents.hourly).toMatchObject({
			executions: 1,
			successes: 1,
			failures: 0,
		});
		expect(report?.health.hourly?.status).toBe('healthy');

		// A restart: the state file gives the start back.
		const reloaded = setup(loadState(folder).state);
		expect(reloaded.monitor.lastStartOf('hourly')).toBe(
			Date.parse(at('10:00:01')),
		);
	});

	test('`run <agent>` (cycle 0) is no start of the schedule', () => {
		const {bus, monitor} = setup();
		bus.emit({
			type: 'agent_start',
			time: at('10:00:01'),
			cycle: 0,
			agent: 'hourly',
			attempt: 1,
		});
		expect(monitor.lastStartOf('hourly')).toBeUndefined();
	});
});

describe('the state file and lastStart', () => {
	test('kept across a save and a load', () => {
		const folder = temporaryDirectory();
		const state = {
			...emptyState,
			agents: {hourly: {...emptyAgentRecord, lastStart: 1_700_000_000_000}},
		};
		saveState(folder, state);
		expect(loadState(folder)).toEqual({state, warning: undefined});
	});

	test('a state file written before schedules (no lastStart) still loads: the agent is due', () => {
		const folder = temporaryDirectory();
		const {lastStart, ...older} = {
			...emptyAgentRecord,
			history: [{time: 1000, ok: true, durationS: 1, retries: 0}],
			executions: 1,
			successes: 1,
			lastSuccess: 1000,
		};
		expect(lastStart).toBeUndefined();
		writeFileSync(
			path.join(folder, 'state.json'),
			JSON.stringify({...emptyState, totalCycles: 4, agents: {hourly: older}}),
		);
		const loaded = loadState(folder);
		expect(loaded.warning).toBeUndefined();
		expect(loaded.state.totalCycles).toBe(4);
		expect(loaded.state.agents.hourly).toEqual(older);
		expect(loaded.state.agents.hourly?.lastStart).toBeUndefined();
	});

	test('a last start that is not a time is corrupt, and set aside', () => {
		const folder = temporaryDirectory();
		writeFileSync(
			path.join(folder, 'state.json'),
			JSON.stringify({
				...emptyState,
				agents: {hourly: {...emptyAgentRecord, lastStart: '10:00'}},
			}),
		);
		expect(loadState(folder).warning).toMatch(
			/could not be read \(agents\.hourly\.lastStart: malformed\)/v,
		);
	});
});
