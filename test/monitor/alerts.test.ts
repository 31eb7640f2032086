import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import type {AgentStatus, EngineEvent} from '../../source/contract/events.js';
import {createEventBus} from '../../source/engine/event-bus.js';
import {createMonitor} from '../../source/monitor/create-monitor.js';
import {emptyState} from '../../source/monitor/state-file.js';
import {buildConfig, temporaryDirectory} from '../helpers/index.js';

const time = '2026-11-02T10:00:00.000Z';

/** A monitor over a fresh folder, fed through a real event bus, keeping every alert. */
function setup(
	orchestrator: Record<string, unknown> = {},
	dir = temporaryDirectory(),
) {
	const config = buildConfig(
		{
			orchestrator: {
				metricsExportDir: path.join(dir, 'metrics'),
				...orchestrator,
			},
			agents: {
				risk: {command: 'x', enabled: true, critical: true},
				bot: {command: 'x', enabled: true, retries: 2},
			},
		},
		dir,
	);
	const bus = createEventBus();
	const monitor = createMonitor({
		config,
		emit: bus.emit,
		initialState: emptyState,
	});
	const events: EngineEvent[] = [];
	bus.listen(monitor.listen);
	bus.listen(event => {
		events.push(event);
	});
	let cycle = 0;
	const runCycle = (
		statuses: Record<string, AgentStatus>,
		durationS = 1,
		extra: EngineEvent[] = [],
	) => {
		cycle++;
		bus.emit({type: 'cycle_start', time, cycle});
		for (const event of extra) {
			bus.emit(event);
		}

		for (const [agent, status] of Object.entries(statuses)) {
			bus.emit({
				type: 'agent_end',
				time,
				cycle,
				agent,
				status: status as Exclude<AgentStatus, 'disabled'>,
				duration_s: 1,
				attempts: 1,
				error: status === 'success' ? null : 'exit code 1',
			});
		}

		bus.emit({
			type: 'cycle_end',
			time,
			cycle,
			duration_s: durationS,
			halted: false,
			results: statuses,
		});
	};

	const alerts = () =>
		events
			.filter(
				(event): event is Extract<EngineEvent, {type: 'alert'}> =>
					event.type === 'alert',
			)
			.map(event => event.message);
	return {monitor, bus, runCycle, alerts, events, dir, config};
}

describe('health alerts fire once, when the condition starts', () => {
	test('became unhealthy, rate under 80 %, 5 failures in a row, unhealthy 3 cycles', () => {
		const {runCycle, alerts} = setup();
		for (let index = 0; index < 20; index++) {
			runCycle({bot: 'success'});
		}

		expect(alerts()).toEqual([]);
		runCycle({bot: 'failed'});
		runCycle({bot: 'failed'});
		expect(
			alerts().filter(message => !message.startsWith('bot failed after')),
		).toEqual([]);
		runCycle({bot: 'failed'});
		expect(alerts().filter(message => message.includes('unhealthy'))).toEqual([
			'bot became unhealthy (success 85.0%, 3 failures in a row)',
		]);
		runCycle({bot: 'failed'});
		expect(
			alerts().filter(message => message.includes('success rate')),
		).toEqual([]);
		runCycle({bot: 'failed'});
		const health = alerts().filter(
			message => !message.startsWith('bot failed after'),
		);
		expect(health).toEqual([
			'bot became unhealthy (success 85.0%, 3 failures in a row)',
			'bot success rate fell to 75.0% (under 80%)',
			'bot failed 5 times in a row',
			// Raised at the end of the cycle, after the run's own alerts.
			'bot has been unhealthy for 3 cycles in a row',
		]);
		for (let index = 0; index < 5; index++) {
			runCycle({bot: 'failed'});
		}

		// Still unhealthy, still failing: nothing new but the per-run failure.
		expect(
			alerts().filter(message => !message.startsWith('bot failed after')),
		).toEqual(health);
		expect(
			alerts().filter(message => message.startsWith('bot failed after')),
		).toHaveLength(10);
	});

	test('skipped runs do not count, and health checks can be off', () => {
		const {runCycle, alerts, monitor} = setup({enableHealthChecks: false});
		runCycle({bot: 'failed'});
		runCycle({bot: 'failed'});
		runCycle({bot: 'failed'});
		expect(alerts().some(message => message.includes('unhealthy'))).toBe(false);
		expect(monitor.healthOf('bot')).toBe('unknown');
		const on = setup();
		on.runCycle({bot: 'skipped'});
		expect(on.monitor.healthOf('bot')).toBe('unknown');
	});
});

describe('run alerts', () => {
	test('a timed-out attempt, a retry, a failure after the retries, a halt', () => {
		const {bus, alerts} = setup();
		bus.emit({type: 'cycle_start', time, cycle: 1});
		bus.emit({
			type: 'attempt_end',
			time,
			cycle: 1,
			agent: 'bot',
			attempt: 1,
			status: 'timeout',
			duration_s: 30,
			error: 'timed out after 30s',
			malformed_lines: 0,
		});
		bus.emit({
			type: 'agent_retry',
			time,
			cycle: 1,
			agent: 'bot',
			attempt: 2,
			delay_s: 2,
			error: 'timed out after 30s',
		});
		bus.emit({
			type: 'agent_end',
			time,
			cycle: 1,
			agent: 'bot',
			status: 'failed',
			duration_s: 40,
			attempts: 3,
			error: 'exit code 2',
		});
		bus.emit({
			type: 'halt',
			time,
			cycle: 1,
			agent: 'risk',
			reason: 'VaR over limit',
		});
		expect(alerts()).toEqual([
			'bot timed out after 30.0s (attempt 1/3)',
			'bot retry attempt 2/3 in 2s after timed out after 30s',
			'bot became unhealthy (success 0.0%, 1 failure in a row)',
			'bot success rate fell to 0.0% (under 80%)',
			'bot failed after 3 attempts: exit code 2',
			'cycle 1 halted by risk: VaR over limit',
		]);
	});

	test('a cycle over twice the average, after 3 cycles', () => {
		const {runCycle, alerts} = setup();
		runCycle({risk: 'success'}, 10);
		runCycle({risk: 'success'}, 30);
		runCycle({risk: 'success'}, 10);
		expect(alerts()).toEqual([]);
		runCycle({risk: 'success'}, 30);
		expect(alerts()).toEqual([]);
		runCycle({risk: 'success'}, 61);
		expect(alerts()).toEqual([
			'cycle 5 took 61.0s, over twice the average 20.0s',
		]);
	});

	test('a short cycle is not worth a slow-cycle alert, however it compares', () => {
		const {runCycle, alerts} = setup();
		for (let cycle = 0; cycle < 3; cycle++) {
			runCycle({risk: 'success'}, 0.2);
		}

		runCycle({risk: 'success'}, 9.9);
		expect(alerts()).toEqual([]);
	});

	test('one failure of a non-critical agent is a warning; of a critical one, critical', () => {
		const {runCycle, events} = setup();
		runCycle({bot: 'failed', risk: 'failed'});
		const levels = Object.fromEntries(
			events
				.filter(
					(event): event is Extract<EngineEvent, {type: 'alert'}> =>
						event.type === 'alert' &&
						event.message.includes('became unhealthy'),
				)
				.map(event => [event.agent ?? '', event.level] as const),
		);
		expect(levels).toEqual({bot: 'warning', risk: 'critical'});
	});
});

describe('files', () => {
	test('alerts are appended to alerts.jsonl', () => {
		const {bus, dir} = setup();
		bus.emit({
			type: 'alert',
			time,
			level: 'critical',
			message: 'one',
			agent: 'risk',
		});
		bus.emit({type: 'alert', time, level: 'info', message: 'two'});
		const lines = readFileSync(
			path.join(dir, 'metrics', 'alerts.jsonl'),
			'utf8',
		)
			.trim()
			.split('\n');
		expect(lines.map(line => JSON.parse(line) as unknown)).toEqual([
			{time, level: 'critical', message: 'one', agent: 'risk'},
			{time, level: 'info', message: 'two'},
		]);
	});

	test('a metrics folder that cannot be written raises one alert, and the cycles go on', () => {
		const dir = temporaryDirectory();
		writeFileSync(path.join(dir, 'blocker'), 'a file where a folder should be');
		const {runCycle, alerts, events, monitor} = setup(
			{metricsExportDir: path.join(dir, 'blocker', 'metrics')},
			dir,
		);
		runCycle({risk: 'success'});
		runCycle({risk: 'success'});
		const critical = alerts().filter(message =>
			message.includes('could not be written'),
		);
		expect(critical[0]).toMatch(/^metrics could not be written: ENOTDIR/);
		expect(
			critical.filter(message => message.startsWith('metrics ')),
		).toHaveLength(1);
		expect(
			events.filter(event => event.type === 'cycle_recorded'),
		).toHaveLength(2);
		expect(events.some(event => event.type === 'metrics_exported')).toBe(false);
		expect(monitor.lastReport()?.metricsFile).toMatchObject({
			error: expect.stringMatching(/ENOTDIR/) as unknown,
		});
	});

	test('metricsRetention keeps the newest files', () => {
		const {runCycle, dir} = setup({metricsRetention: 2});
		const folder = path.join(dir, 'metrics');
		mkdirSync(folder, {recursive: true});
		writeFileSync(path.join(folder, 'metrics_20200101_000000.json'), '{}');
		for (let index = 0; index < 3; index++) {
			runCycle({risk: 'success'});
		}

		const files = readdirSync(folder)
			.filter(name => name.startsWith('metrics_'))
			.toSorted();
		expect(files).toHaveLength(2);
		expect(files[0]).toMatch(/^metrics_\d{8}_\d{6}_2\.json$/);
		expect(files[1]).toMatch(/^metrics_\d{8}_\d{6}_3\.json$/);
	});
});
