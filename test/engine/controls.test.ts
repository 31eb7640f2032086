import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {createEngine} from '../../source/engine/create-engine.js';
import type {
	AttemptResult,
	RunAgentRequest,
} from '../../source/runner/run-agent.js';
import {
	buildConfig,
	createFakeClock,
	createFakeRunner,
	createRecorder,
	waitFor,
} from '../helpers/index.js';

const agent = (extra: Record<string, unknown> = {}) => ({
	command: ['agent'],
	enabled: true,
	...extra,
});

/** An engine over a fake runner whose agents wait until `release()` is called. */
function setup(raw: Record<string, unknown>) {
	const config = buildConfig(raw);
	const clock = createFakeClock();
	const recorder = createRecorder();
	let releases: Array<() => void> = [];
	// Succeeds when released; ends as the real runner would when its signal aborts.
	const gate = async (request: RunAgentRequest) =>
		new Promise<Partial<AttemptResult>>(resolve => {
			releases.push(() => {
				resolve({status: 'success'});
			});
			request.signal?.addEventListener('abort', () => {
				resolve({status: 'cancelled', error: 'cancelled'});
			});
		});

	const names = Object.keys(raw.agents as Record<string, unknown>);
	const runner = createFakeRunner(
		Object.fromEntries(names.map(name => [name, [gate]])),
	);
	const engine = createEngine({
		config,
		runAgent: runner.run,
		clock,
		emit: recorder.emit,
	});
	const release = () => {
		const pending = releases;
		releases = [];
		for (const resolve of pending) {
			resolve();
		}
	};

	const waiting = () => releases.length;
	const cycleEnds = () => recorder.ofType('cycle_end').length;
	return {engine, runner, recorder, clock, release, waiting, cycleEnds};
}

/** Waits until the engine's loop has waited `count` more times on the fake clock: it turned over. */
async function turnsOver(
	clock: ReturnType<typeof createFakeClock>,
	count: number,
): Promise<void> {
	const before = clock.sleeps.length;
	await waitFor(
		() => clock.sleeps.length >= before + count,
		5000,
		'the loop to turn over',
	);
}

describe('controls', () => {
	test('pause lets the running cycle finish and starts no new one until resumed', async () => {
		const {engine, recorder, release, waiting, cycleEnds, runner, clock} =
			setup({
				orchestrator: {sleepBetweenRunsMinutes: 1},
				agents: {a: agent()},
			});
		const run = engine.run();
		await waitFor(() => waiting() === 1);
		engine.pause();
		release();
		await waitFor(() => cycleEnds() === 1);
		// Let the paused loop turn over many times: the fake clock moves an hour per wait.
		await turnsOver(clock, 20);
		expect(runner.calls).toHaveLength(1);
		expect(recorder.ofType('schedule').at(-1)).toMatchObject({paused: true});
		engine.resume();
		await waitFor(() => waiting() === 1);
		expect(recorder.ofType('cycle_start')).toHaveLength(2);
		release();
		await engine.stop();
		await run;
	});

	test('a hold (a lost lock) lets the running cycle finish and starts none, forced or not, until released', async () => {
		const {engine, release, waiting, cycleEnds, runner, clock} = setup({
			orchestrator: {sleepBetweenRunsMinutes: 0},
			agents: {a: agent()},
		});
		const run = engine.run();
		await waitFor(() => waiting() === 1);
		engine.hold('the lock of metrics');
		release();
		await waitFor(() => cycleEnds() === 1);
		engine.forceCycle();
		// The loop turns over many times meanwhile: the fake clock moves an hour per wait.
		await turnsOver(clock, 20);
		expect(runner.calls).toHaveLength(1);
		engine.release('another reason');
		await turnsOver(clock, 5);
		expect(runner.calls).toHaveLength(1);
		engine.release('the lock of metrics');
		await waitFor(() => waiting() === 1);
		release();
		await engine.stop();
		await run;
	});

	test('force starts a cycle now instead of sleeping', async () => {
		const {engine, release, waiting, cycleEnds, clock} = setup({
			orchestrator: {sleepBetweenRunsMinutes: 60 * 24},
			agents: {a: agent()},
		});
		const run = engine.run();
		await waitFor(() => waiting() === 1);
		release();
		await waitFor(() => cycleEnds() === 1);
		const before = clock.now();
		engine.forceCycle();
		await waitFor(() => waiting() === 1);
		expect(clock.now() - before).toBeLessThan(24 * 60 * 60 * 1000);
		release();
		await engine.stop();
		await run;
	});

	test('force during a cycle runs another right after it', async () => {
		const {engine, recorder, release, waiting} = setup({
			orchestrator: {sleepBetweenRunsMinutes: 60 * 24},
			agents: {a: agent()},
		});
		const run = engine.run();
		await waitFor(() => waiting() === 1);
		engine.forceCycle();
		release();
		await waitFor(() => waiting() === 1);
		expect(recorder.ofType('cycle_start').map(event => event.cycle)).toEqual([
			1, 2,
		]);
		const sleeps = recorder
			.ofType('schedule')
			.filter(event => event.next_run !== null);
		expect(sleeps).toHaveLength(0);
		release();
		await engine.stop();
		await run;
	});

	test('a toggle takes effect for every phase that has not started yet', async () => {
		const {engine, recorder, release, waiting} = setup({
			agents: {
				risk: agent({critical: true}),
				trading: agent(),
				news: agent({enabled: false}),
			},
		});
		const run = engine.run({once: true});
		await waitFor(() => waiting() === 1);
		engine.setEnabled('trading', false);
		engine.setEnabled('news', true);
		engine.setEnabled('risk', false); // Already running: it finishes.
		release();
		await waitFor(() => waiting() === 1);
		release();
		const outcome = await run;
		expect(outcome?.results).toEqual({
			risk: 'success',
			trading: 'disabled',
			news: 'success',
		});
		expect(
			recorder
				.ofType('agent_toggle')
				.map(event => [event.agent, event.enabled, event.persist]),
		).toEqual([
			['trading', false, true],
			['news', true, true],
			['risk', false, false],
		]);
		// Turned off during its cycle, after its phase: off for the next cycle still.
		expect(engine.isEnabled('risk')).toBe(false);
	});

	test('a critical agent turned off is off for the next cycle only, then on by itself', async () => {
		const {engine, recorder, release, waiting, cycleEnds} = setup({
			orchestrator: {sleepBetweenRunsMinutes: 60},
			agents: {risk: agent({critical: true}), trading: agent()},
		});
		engine.setEnabled('risk', false);
		expect(recorder.ofType('alert').at(-1)).toMatchObject({
			level: 'critical',
			message:
				'critical agent risk turned off for the next cycle only: that cycle trades without it',
		});
		const run = engine.run();
		await waitFor(() => waiting() === 1);
		release();
		await waitFor(() => cycleEnds() === 1);
		expect(recorder.ofType('cycle_end')[0]?.results).toEqual({
			risk: 'disabled',
			trading: 'success',
		});
		expect(engine.isEnabled('risk')).toBe(true);
		expect(
			recorder
				.ofType('agent_toggle')
				.map(event => [event.agent, event.enabled, event.persist]),
		).toEqual([
			['risk', false, false],
			['risk', true, false],
		]);
		engine.forceCycle();
		await waitFor(() => waiting() === 1);
		expect(recorder.ofType('agent_start').at(-1)).toMatchObject({
			cycle: 2,
			agent: 'risk',
		});
		release();
		await waitFor(() => waiting() === 1);
		release();
		await engine.stop();
		await run;
	});

	test('cancel ends the running agent as cancelled, with no retry', async () => {
		const config = buildConfig({
			agents: {
				risk: agent({critical: true, onFailure: 'continue'}),
				b: agent(),
			},
		});
		const recorder = createRecorder();
		const runner = createFakeRunner({
			risk: [
				async request =>
					new Promise(resolve => {
						request.signal?.addEventListener('abort', () => {
							resolve({status: 'cancelled', error: 'cancelled'});
						});
					}),
			],
		});
		const engine = createEngine({
			config,
			runAgent: runner.run,
			clock: createFakeClock(),
			emit: recorder.emit,
		});
		const run = engine.run({once: true});
		await waitFor(() => runner.calls.length === 1);
		expect(engine.cancelAgent('b')).toBe(false);
		expect(engine.cancelAgent('risk')).toBe(true);
		const outcome = await run;
		expect(runner.agentsRun()).toEqual(['risk', 'b']);
		expect(outcome?.results).toEqual({risk: 'cancelled', b: 'success'});
	});

	test('stop kills what runs, skips the rest and ends the loop', async () => {
		const {engine, recorder, waiting, runner} = setup({
			agents: {risk: agent({critical: true}), trading: agent()},
		});
		const run = engine.run();
		await waitFor(() => waiting() === 1);
		await engine.stop();
		const outcome = await run;
		expect(runner.agentsRun()).toEqual(['risk']);
		expect(outcome?.results).toEqual({risk: 'cancelled', trading: 'skipped'});
		expect(outcome?.halted).toBe(false);
		expect(recorder.ofType('cycle_start')).toHaveLength(1);
	});
});

describe('many agents at once', () => {
	test('twenty agents running together raise no listener warning (it would print over the TUI)', async () => {
		const warnings: string[] = [];
		const onWarning = (warning: Error) => {
			warnings.push(warning.name);
		};

		process.on('warning', onWarning);
		try {
			const agents = Object.fromEntries(
				Array.from({length: 20}, (_, index) => [`a${index}`, agent()]),
			);
			const {engine, release, waiting, cycleEnds} = setup({
				orchestrator: {maxWorkers: 20},
				agents,
			});
			void engine.run({once: true});
			await waitFor(() => waiting() === 20, 5000, 'all twenty to run');
			release();
			await waitFor(() => cycleEnds() === 1, 5000, 'the cycle');
			// Warnings come on a later tick.
			await new Promise(resolve => {
				setImmediate(resolve);
			});
			expect(warnings).toEqual([]);
		} finally {
			process.off('warning', onWarning);
		}
	});
});
