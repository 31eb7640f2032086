import {describe, expect, test} from 'vitest';
import {createEngine} from '../../source/engine/create-engine.js';
import type {ResolvedConfig} from '../../source/config/resolved-config.js';
import {
	buildConfig,
	createFakeClock,
	createFakeRunner,
	createRecorder,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';

const agent = (extra: Record<string, unknown> = {}) => ({
	command: ['agent'],
	enabled: true,
	...extra,
});

describe('replaceConfig (reload)', () => {
	test('the running cycle ends on the old config; the next runs the new one, announced before it starts', async () => {
		const dir = temporaryDirectory();
		const old = buildConfig(
			{
				orchestrator: {sleepBetweenRunsMinutes: 1},
				agents: {risk: agent({critical: true}), a: agent(), gone: agent()},
			},
			dir,
		);
		const next = buildConfig(
			{
				orchestrator: {sleepBetweenRunsMinutes: 2},
				agents: {
					risk: agent({critical: true}),
					a: agent({retries: 4}),
					added: agent(),
				},
			},
			dir,
		);
		const clock = createFakeClock();
		const recorder = createRecorder();
		let release: () => void = () => undefined;
		const runner = createFakeRunner({
			// The first cycle's `a` waits, so the reload lands mid-cycle.
			a: [
				async () =>
					new Promise(resolve => {
						release = () => {
							resolve({status: 'success'});
						};
					}),
				'success',
			],
		});
		const applied: ResolvedConfig[] = [];
		const engine = createEngine({
			config: old,
			runAgent: runner.run,
			clock,
			emit: recorder.emit,
			onConfigApplied(config) {
				applied.push(config);
			},
		});
		void engine.run();
		await waitFor(() => runner.agentsRun().includes('a'), 5000, 'a to start');
		engine.replaceConfig(next);
		release();
		// The fake clock's sleeps pass at once: the second cycle follows.
		await waitFor(
			() => recorder.ofType('cycle_end').length >= 2,
			5000,
			'the second cycle',
		);
		await engine.stop();
		expect(recorder.ofType('cycle_end')[1]?.results).toEqual({
			risk: 'success',
			a: 'success',
			added: 'success',
		});
		expect(recorder.ofType('cycle_end')[0]?.results).toEqual({
			risk: 'success',
			a: 'success',
			gone: 'success',
		});
		// The sleep after the first cycle is the old config's: the new one starts with the next.
		const sleep = recorder
			.ofType('schedule')
			.find(event => event.next_run !== null);
		expect(Date.parse(sleep!.next_run!) - Date.parse(sleep!.time)).toBe(60_000);
		expect(applied).toEqual([next]);
		const types = recorder.events.map(event => event.type);
		expect(types.indexOf('config_applied')).toBeLessThan(
			types.lastIndexOf('cycle_start'),
		);
		expect(types.indexOf('config_applied')).toBeGreaterThan(
			types.indexOf('cycle_end'),
		);
		expect(recorder.ofType('config_applied')[0]).toMatchObject({
			agents: [
				{name: 'risk', critical: true, enabled: true, maxAttempts: 4},
				{name: 'a', critical: false, enabled: true, maxAttempts: 5},
				{name: 'added', enabled: true},
			],
			phases: ['critical', 'parallel'],
		});
	});

	test('kept agents keep their toggles unless the file changed them; a critical agent is as its file says', async () => {
		const dir = temporaryDirectory();
		const old = buildConfig(
			{
				agents: {
					risk: agent({critical: true}),
					toggled: agent(),
					flipped: agent(),
				},
			},
			dir,
		);
		const next = buildConfig(
			{
				agents: {
					risk: agent({critical: true}),
					toggled: agent(),
					flipped: agent({enabled: false}),
				},
			},
			dir,
		);
		const recorder = createRecorder();
		const runner = createFakeRunner();
		const engine = createEngine({
			config: old,
			runAgent: runner.run,
			clock: createFakeClock(),
			emit: recorder.emit,
		});
		engine.pause();
		void engine.run();
		engine.setEnabled('toggled', false);
		engine.replaceConfig(next);
		engine.forceCycle();
		await waitFor(
			() => recorder.ofType('cycle_end').length === 1,
			5000,
			'a cycle',
		);
		await engine.stop();
		expect(recorder.ofType('cycle_end')[0]?.results).toEqual({
			risk: 'success',
			toggled: 'disabled',
			flipped: 'disabled',
		});
	});
});

describe('replaceConfig and critical agents (fail closed)', () => {
	async function oneCycleAfter(
		old: Record<string, unknown>,
		next: Record<string, unknown>,
		before: (engine: ReturnType<typeof createEngine>) => void,
	) {
		const dir = temporaryDirectory();
		const recorder = createRecorder();
		const engine = createEngine({
			config: buildConfig(old, dir),
			runAgent: createFakeRunner().run,
			clock: createFakeClock(),
			emit: recorder.emit,
		});
		engine.pause();
		void engine.run();
		before(engine);
		engine.replaceConfig(buildConfig(next, dir));
		engine.forceCycle();
		await waitFor(
			() => recorder.ofType('cycle_end').length === 1,
			5000,
			'a cycle',
		);
		await engine.stop();
		return recorder.ofType('cycle_end')[0]?.results;
	}

	test('an agent made critical runs though the user had it off: only the file turns a critical agent off', async () => {
		const results = await oneCycleAfter(
			{agents: {risk: agent({critical: true}), hedge: agent()}},
			{agents: {risk: agent({critical: true}), hedge: agent({critical: true})}},
			engine => {
				engine.setEnabled('hedge', false);
			},
		);
		expect(results).toMatchObject({risk: 'success', hedge: 'success'});
	});

	test('a critical agent off for one cycle stays off for that cycle when it stays critical', async () => {
		const results = await oneCycleAfter(
			{agents: {risk: agent({critical: true}), a: agent()}},
			{agents: {risk: agent({critical: true, retries: 1}), a: agent()}},
			engine => {
				engine.setEnabled('risk', false);
			},
		);
		expect(results).toMatchObject({risk: 'disabled'});
	});

	test('a critical agent renamed while off for one cycle runs under its new name', async () => {
		const results = await oneCycleAfter(
			{agents: {risk: agent({critical: true}), a: agent()}},
			{agents: {risk2: agent({critical: true}), a: agent()}},
			engine => {
				engine.setEnabled('risk', false);
			},
		);
		expect(results).toMatchObject({risk2: 'success', a: 'success'});
	});

	test('a critical agent made non-critical keeps the file’s enabled', async () => {
		const results = await oneCycleAfter(
			{agents: {risk: agent({critical: true}), a: agent()}},
			{agents: {risk: agent(), a: agent()}},
			() => undefined,
		);
		expect(results).toMatchObject({risk: 'success', a: 'success'});
	});
});
