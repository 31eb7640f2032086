import {describe, expect, test} from 'vitest';
import {createEngine} from '../../source/engine/create-engine.js';
import {
	isContractEvent,
	type HealthStatus,
} from '../../source/contract/events.js';
import {
	buildConfig,
	createFakeClock,
	createFakeRunner,
	createRecorder,
} from '../helpers/index.js';

const agent = (extra: Record<string, unknown> = {}) => ({
	command: ['agent'],
	enabled: true,
	...extra,
});

/** One cycle of an engine over a fake runner and clock. */
async function runOnce(
	raw: Record<string, unknown>,
	script: Parameters<typeof createFakeRunner>[0] = {},
	options: {
		healthOf?: (agent: string) => HealthStatus;
		clock?: ReturnType<typeof createFakeClock>;
	} = {},
) {
	const config = buildConfig(raw);
	const clock = options.clock ?? createFakeClock();
	const runner = createFakeRunner(script);
	const recorder = createRecorder();
	const engine = createEngine({
		config,
		runAgent: runner.run,
		clock,
		emit: recorder.emit,
		...(options.healthOf ? {healthOf: options.healthOf} : {}),
	});
	const outcome = await engine.run({once: true});
	return {outcome, clock, runner, recorder, engine, config};
}

describe('retries and backoff', () => {
	test('a failing critical agent is retried after 2 s, 4 s and 8 s with the defaults', async () => {
		const {clock, runner, recorder, outcome} = await runOnce(
			{agents: {risk: agent({critical: true}), trading: agent()}},
			{risk: ['failed', 'timeout', 'failed', 'success']},
		);
		expect(clock.sleeps).toEqual([2000, 4000, 8000]);
		expect(runner.agentsRun()).toEqual([
			'risk',
			'risk',
			'risk',
			'risk',
			'trading',
		]);
		expect(
			recorder
				.ofType('agent_retry')
				.map(event => [event.attempt, event.delay_s]),
		).toEqual([
			[2, 2],
			[3, 4],
			[4, 8],
		]);
		expect(recorder.ofType('agent_end')[0]).toMatchObject({
			agent: 'risk',
			status: 'success',
			attempts: 4,
			duration_s: 14,
		});
		expect(outcome).toMatchObject({
			halted: false,
			results: {risk: 'success', trading: 'success'},
		});
	});

	test('the delay follows backoffBaseSeconds × backoffMultiplier^k', async () => {
		const {clock} = await runOnce(
			{
				orchestrator: {
					backoffBaseSeconds: 0.5,
					backoffMultiplier: 3,
					maxRetries: 2,
				},
				agents: {risk: agent({critical: true, onFailure: 'continue'})},
			},
			{risk: ['failed']},
		);
		expect(clock.sleeps).toEqual([1500, 4500]);
	});

	test('agents are told their name, cycle and attempt', async () => {
		const {runner, config} = await runOnce(
			{agents: {risk: agent({critical: true, env: {MODEL: 'small'}})}},
			{risk: ['failed', 'success']},
		);
		// MOONDEV_HOME: where the agent writes its files (the config's folder here).
		const home = config.homeDir;
		expect(runner.calls.map(call => call.env)).toEqual([
			{
				MODEL: 'small',
				MOONDEV_AGENT: 'risk',
				MOONDEV_CYCLE: '1',
				MOONDEV_ATTEMPT: '1',
				MOONDEV_PROTOCOL: '1',
				MOONDEV_HOME: home,
				PYTHONUNBUFFERED: '1',
			},
			{
				MODEL: 'small',
				MOONDEV_AGENT: 'risk',
				MOONDEV_CYCLE: '1',
				MOONDEV_ATTEMPT: '2',
				MOONDEV_PROTOCOL: '1',
				MOONDEV_HOME: home,
				PYTHONUNBUFFERED: '1',
			},
		]);
	});

	test('non-critical agents are not retried unless they say so', async () => {
		const {runner} = await runOnce(
			{agents: {a: agent(), b: agent({retries: 2})}},
			{a: ['failed'], b: ['failed', 'failed', 'success']},
		);
		expect(runner.agentsRun().filter(name => name === 'a')).toHaveLength(1);
		expect(runner.agentsRun().filter(name => name === 'b')).toHaveLength(3);
	});

	test('timeouts: the agent, then the phase, then the orchestrator', async () => {
		const {runner} = await runOnce({
			orchestrator: {timeoutPerAgent: 30},
			agents: {a: agent({timeout: 5}), b: agent(), c: agent()},
			phases: [
				{
					name: 'one',
					agents: ['a', 'b'],
					mode: 'parallel',
					timeoutPerAgent: 12,
				},
				{name: 'two', agents: ['c'], mode: 'parallel'},
			],
		});
		const timeouts = Object.fromEntries(
			runner.calls.map(call => [call.agent, call.timeoutMs]),
		);
		expect(timeouts).toEqual({a: 5000, b: 12_000, c: 30_000});
	});
});

describe('halts', () => {
	const config = {
		agents: {risk: agent({critical: true}), trading: agent(), copybot: agent()},
	};

	test('a halt line from the critical agent stops the cycle after it', async () => {
		const {runner, recorder, outcome} = await runOnce(config, {
			risk: [{status: 'success', haltReason: 'loss limit'}],
		});
		expect(runner.agentsRun()).toEqual(['risk']);
		expect(recorder.ofType('halt')).toMatchObject([
			{cycle: 1, agent: 'risk', reason: 'loss limit'},
		]);
		expect(recorder.ofType('phase_start').map(event => event.phase)).toEqual([
			'critical',
		]);
		expect(recorder.events.at(-1)).toMatchObject({
			type: 'cycle_end',
			halted: true,
			results: {risk: 'halted', trading: 'skipped', copybot: 'skipped'},
		});
		expect(outcome?.halted).toBe(true);
	});

	describe("a critical agent's verdict (requireVerdict)", () => {
		const strict = {
			agents: {
				risk: agent({critical: true, requireVerdict: true}),
				trading: agent(),
			},
		};

		test('an exit 0 without pass or halt halts the cycle, not retried', async () => {
			const {runner, recorder, outcome} = await runOnce(strict, {
				risk: [{status: 'success'}],
			});
			expect(runner.agentsRun()).toEqual(['risk']);
			expect(recorder.ofType('halt')).toMatchObject([
				{
					agent: 'risk',
					reason:
						'risk gave no verdict: it exited 0 without saying pass or halt',
				},
			]);
			expect(outcome?.results).toEqual({risk: 'halted', trading: 'skipped'});
		});

		test('a pass lets the cycle go on', async () => {
			const {runner, outcome} = await runOnce(strict, {
				risk: [{status: 'success', passed: true}],
			});
			expect(runner.agentsRun()).toEqual(['risk', 'trading']);
			expect(outcome?.halted).toBe(false);
		});

		test('a halt wins over a pass, whatever the order', async () => {
			const {runner, outcome} = await runOnce(strict, {
				risk: [{status: 'success', passed: true, haltReason: 'VaR over limit'}],
			});
			expect(runner.agentsRun()).toEqual(['risk']);
			expect(outcome).toMatchObject({
				halted: true,
				haltReason: 'VaR over limit',
			});
		});

		test('a pass counts only in the attempt that printed it', async () => {
			const {runner, outcome} = await runOnce(strict, {
				risk: [{status: 'failed', passed: true}, {status: 'success'}],
			});
			expect(runner.agentsRun()).toEqual(['risk', 'risk']);
			expect(outcome).toMatchObject({
				halted: true,
				haltReason:
					'risk gave no verdict: it exited 0 without saying pass or halt',
			});
		});

		test('without requireVerdict an exit 0 passes, as before', async () => {
			const {runner} = await runOnce(config, {risk: [{status: 'success'}]});
			expect(runner.agentsRun()).toEqual(['risk', 'trading', 'copybot']);
		});
	});

	test('a protocol line of a critical agent that cannot be trusted halts the cycle, not retried', async () => {
		const {runner, outcome} = await runOnce(config, {
			risk: [
				{
					status: 'success',
					untrustedLines: [
						'a protocol line on stderr (only stdout carries it): "…"',
					],
				},
			],
		});
		expect(runner.agentsRun()).toEqual(['risk']);
		expect(outcome).toMatchObject({
			halted: true,
			haltReason:
				'risk printed a protocol line on stderr (only stdout carries it): "…"; a risk check\'s protocol lines must be exact',
		});
	});

	test("another agent's untrusted lines halt nothing", async () => {
		const {runner, outcome} = await runOnce(config, {
			trading: [{status: 'success', untrustedLines: ['a protocol line…']}],
		});
		expect(runner.agentsRun()).toEqual(['risk', 'trading', 'copybot']);
		expect(outcome?.halted).toBe(false);
	});

	test('haltExitCode halts without a retry', async () => {
		const {runner, outcome} = await runOnce(
			{
				agents: {
					risk: agent({critical: true, haltExitCode: 42}),
					trading: agent(),
				},
			},
			{risk: [{status: 'failed', exitCode: 42}]},
		);
		expect(runner.agentsRun()).toEqual(['risk']);
		expect(outcome).toMatchObject({
			halted: true,
			results: {risk: 'halted', trading: 'skipped'},
		});
	});

	for (const [label, status, error] of [
		['fails after its retries', 'failed', 'exit code 1'],
		['times out', 'timeout', 'timed out after 300s'],
		['cannot start', 'failed', 'cannot start: command not found: risk-agent'],
	] as const) {
		test(`a critical agent that ${label} halts the cycle`, async () => {
			const {runner, recorder, outcome} = await runOnce(config, {
				risk: [{status, error}],
			});
			expect(runner.agentsRun()).toEqual(['risk', 'risk', 'risk', 'risk']);
			expect(recorder.ofType('halt')[0]?.reason).toContain(error);
			expect(outcome).toMatchObject({
				halted: true,
				results: {risk: status, trading: 'skipped', copybot: 'skipped'},
			});
		});
	}

	test('a critical agent that is skipped could not run: the cycle halts', async () => {
		const raw = {
			agents: {
				prices: agent({critical: true, onFailure: 'continue', retries: 0}),
				risk: agent({critical: true, dependsOn: ['prices']}),
				trading: agent(),
			},
		};
		const {runner, recorder, outcome} = await runOnce(raw, {
			prices: ['failed'],
		});
		expect(runner.agentsRun()).toEqual(['prices']);
		expect(recorder.ofType('halt')[0]?.reason).toBe(
			'risk could not run: needs prices to succeed (failed)',
		);
		expect(outcome).toMatchObject({
			halted: true,
			results: {prices: 'failed', risk: 'skipped', trading: 'skipped'},
		});
	});

	test('onFailure "continue" lets the cycle go on', async () => {
		const {runner, outcome} = await runOnce(
			{
				agents: {
					risk: agent({critical: true, onFailure: 'continue', retries: 0}),
					trading: agent(),
				},
			},
			{risk: ['failed']},
		);
		expect(runner.agentsRun()).toEqual(['risk', 'trading']);
		expect(outcome).toMatchObject({
			halted: false,
			results: {risk: 'failed', trading: 'success'},
		});
	});

	test('a halt from a non-critical agent is only a warning', async () => {
		const {recorder, outcome} = await runOnce(
			{agents: {a: agent(), b: agent()}},
			{a: [{status: 'success', haltReason: 'nope'}]},
		);
		expect(outcome?.halted).toBe(false);
		expect(recorder.ofType('alert')[0]?.message).toMatch(
			/a asked to halt \(nope\), but only critical agents halt/,
		);
	});

	test('a halt in a custom phase skips every later phase', async () => {
		const {runner, outcome} = await runOnce(
			{
				agents: {gate: agent({critical: true}), a: agent(), b: agent()},
				phases: [
					{name: 'gate', agents: ['gate'], mode: 'sequential'},
					{name: 'first', agents: ['a'], mode: 'sequential'},
					{name: 'last', agents: ['b'], mode: 'parallel'},
				],
			},
			{gate: [{status: 'success', haltReason: 'stop'}]},
		);
		expect(runner.agentsRun()).toEqual(['gate']);
		expect(outcome?.results).toEqual({
			gate: 'halted',
			a: 'skipped',
			b: 'skipped',
		});
	});
});

test('a lost lock (a hold) mid-cycle: no later phase, agent or retry starts', async () => {
	const config = buildConfig({
		orchestrator: {backoffBaseSeconds: 0.01},
		agents: {
			risk: agent({critical: true}),
			trading: agent(),
			news: agent(),
		},
	});
	const clock = createFakeClock();
	const recorder = createRecorder();
	let hold: (reason: string) => void = () => undefined;
	const runner = createFakeRunner({
		risk: [
			async () => {
				hold('the lock of metrics');
				return {status: 'success'};
			},
		],
	});
	const engine = createEngine({
		config,
		runAgent: runner.run,
		clock,
		emit: recorder.emit,
	});
	hold = engine.hold;
	const outcome = await engine.run({once: true});
	expect(runner.agentsRun()).toEqual(['risk']);
	expect(outcome?.results).toEqual({
		risk: 'success',
		trading: 'skipped',
		news: 'skipped',
	});
	expect(recorder.ofType('phase_start').map(event => event.phase)).toEqual([
		'critical',
	]);
});

describe('what runs', () => {
	test('disabled agents do not run and are reported disabled', async () => {
		const {runner, outcome} = await runOnce({
			agents: {a: agent(), b: agent({enabled: false})},
		});
		expect(runner.agentsRun()).toEqual(['a']);
		expect(outcome?.results).toEqual({a: 'success', b: 'disabled'});
	});

	test('dependsOn: an agent whose dependency did not succeed is skipped', async () => {
		const {runner, recorder, outcome} = await runOnce(
			{
				agents: {
					data: agent(),
					signals: agent({dependsOn: ['data']}),
					orders: agent({dependsOn: ['signals']}),
					news: agent(),
				},
			},
			{data: ['failed']},
		);
		expect(runner.agentsRun().toSorted()).toEqual(['data', 'news']);
		expect(outcome?.results).toEqual({
			data: 'failed',
			signals: 'skipped',
			orders: 'skipped',
			news: 'success',
		});
		expect(
			recorder.ofType('agent_end').find(event => event.agent === 'signals')
				?.error,
		).toBe('needs data to succeed (failed)');
	});

	test('dependsOn inside a parallel phase waits for the dependency', async () => {
		let dataDone = false;
		const {outcome} = await runOnce(
			{
				orchestrator: {maxWorkers: 1},
				agents: {orders: agent({dependsOn: ['data']}), data: agent()},
			},
			{
				data: [
					async () => {
						await new Promise(resolve => {
							setTimeout(resolve, 20);
						});
						dataDone = true;
						return {status: 'success'};
					},
				],
				orders: [async () => ({status: dataDone ? 'success' : 'failed'})],
			},
		);
		expect(outcome?.results).toEqual({orders: 'success', data: 'success'});
	});

	test('when: outside its hours or days the agent is skipped', async () => {
		const raw = {
			agents: {
				market: agent({
					when: {hours: '9-16', days: ['mon', 'tue', 'wed', 'thu', 'fri']},
				}),
				night: agent({when: {hours: '22-2'}}),
			},
		};
		// 2026-11-02 is a Monday.
		const monday10 = await runOnce(
			raw,
			{},
			{clock: createFakeClock(new Date(2026, 10, 2, 10).getTime())},
		);
		expect(monday10.outcome?.results).toEqual({
			market: 'success',
			night: 'skipped',
		});
		const monday23 = await runOnce(
			raw,
			{},
			{clock: createFakeClock(new Date(2026, 10, 2, 23).getTime())},
		);
		expect(monday23.outcome?.results).toEqual({
			market: 'skipped',
			night: 'success',
		});
		const sunday10 = await runOnce(
			raw,
			{},
			{clock: createFakeClock(new Date(2026, 10, 1, 10).getTime())},
		);
		expect(sunday10.outcome?.results.market).toBe('skipped');
		expect(
			sunday10.recorder
				.ofType('agent_end')
				.find(event => event.agent === 'market')?.error,
		).toMatch(/outside its window/);
	});

	test('requireHealthy: skipped while the other agent is unhealthy', async () => {
		const raw = {
			agents: {
				risk: agent({critical: true}),
				trading: agent({requireHealthy: ['risk']}),
			},
		};
		const unhealthy = await runOnce(
			raw,
			{},
			{healthOf: name => (name === 'risk' ? 'unhealthy' : 'healthy')},
		);
		expect(unhealthy.outcome?.results).toEqual({
			risk: 'success',
			trading: 'skipped',
		});
		const degraded = await runOnce(raw, {}, {healthOf: () => 'degraded'});
		expect(degraded.outcome?.results).toEqual({
			risk: 'success',
			trading: 'success',
		});
	});

	test('the pool never runs more than maxWorkers agents at once', async () => {
		let running = 0;
		let peak = 0;
		const slow = async () => {
			running++;
			peak = Math.max(peak, running);
			await new Promise(resolve => {
				setTimeout(resolve, 5);
			});
			running--;
			return {status: 'success' as const};
		};

		const names = Array.from({length: 10}, (_, index) => `a${index}`);
		const {outcome} = await runOnce(
			{
				orchestrator: {maxWorkers: 3},
				agents: Object.fromEntries(names.map(name => [name, agent()])),
			},
			Object.fromEntries(names.map(name => [name, [slow]])),
		);
		expect(peak).toBe(3);
		expect(Object.values(outcome?.results ?? {})).toEqual(
			names.map(() => 'success'),
		);
	});

	test('a disabled critical agent raises a warning', async () => {
		const {recorder} = await runOnce({
			agents: {risk: agent({critical: true, enabled: false}), trading: agent()},
		});
		expect(recorder.ofType('alert')).toMatchObject([
			{level: 'warning', agent: 'risk'},
		]);
	});
});

describe('events', () => {
	test('a cycle emits the contract events in order', async () => {
		const {recorder} = await runOnce(
			{agents: {risk: agent({critical: true}), trading: agent()}},
			{
				risk: [
					async request => {
						request.onMessage?.({
							type: 'progress',
							percent: 50,
							message: 'half',
						});
						return {status: 'success'};
					},
				],
			},
		);
		expect(
			recorder.events
				.filter(event => isContractEvent(event))
				.map(event => event.type),
		).toEqual([
			'cycle_start',
			'phase_start',
			'agent_start',
			'agent_progress',
			'agent_end',
			'phase_start',
			'agent_start',
			'agent_end',
			'cycle_end',
		]);
		expect(recorder.ofType('agent_progress')[0]).toMatchObject({
			cycle: 1,
			agent: 'risk',
			percent: 50,
			message: 'half',
		});
	});
});
