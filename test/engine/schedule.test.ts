import {describe, expect, test} from 'vitest';
import {createEngine} from '../../source/engine/create-engine.js';
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

/** Monday 2 November 2026, local time: the fake clock's start is 10:00. */
const local = (hour: number, minute = 0) =>
	new Date(2026, 10, 2, hour, minute).getTime();

/**
An engine over a fake runner and clock, cycles `sleepBetweenRunsMinutes` apart, stopped after
`cycles` cycles: each cycle's results, and what ran.
*/
async function runCycles(
	raw: Record<string, unknown>,
	cycles: number,
	options: {lastStartOf?: (agent: string) => number | undefined} = {},
) {
	const config = buildConfig(raw);
	const clock = createFakeClock(local(10));
	const runner = createFakeRunner();
	const recorder = createRecorder();
	let ended = 0;
	const engine = createEngine({
		config,
		runAgent: runner.run,
		clock,
		emit(event) {
			recorder.emit(event);
			if (event.type === 'cycle_end' && ++ended === cycles) {
				void engine.stop();
			}
		},
		...(options.lastStartOf ? {lastStartOf: options.lastStartOf} : {}),
	});
	await engine.run();
	const results = recorder.ofType('cycle_end').map(event => event.results);
	return {results, runner, recorder, clock};
}

describe('schedules in the engine', () => {
	test('every "1h": runs in the first cycle, is not_due until an hour after its start, then runs again', async () => {
		const {results, recorder, runner} = await runCycles(
			{
				orchestrator: {sleepBetweenRunsMinutes: 15},
				agents: {hourly: agent({every: '1h'}), always: agent()},
			},
			5,
		);
		// Cycles at 10:00, 10:15, 10:30, 10:45 and 11:00.
		expect(results.map(result => result.hourly)).toEqual([
			'success',
			'not_due',
			'not_due',
			'not_due',
			'success',
		]);
		expect(results.map(result => result.always)).toEqual(
			Array.from({length: 5}, () => 'success'),
		);
		expect(runner.agentsRun().filter(name => name === 'hourly')).toHaveLength(
			2,
		);
		expect(
			recorder
				.ofType('agent_start')
				.filter(event => event.agent === 'hourly')
				.map(event => event.cycle),
		).toEqual([1, 5]);

		// Each not_due: an internal agent_not_due with the next due time, then a plain agent_end.
		const notDue = recorder
			.ofType('agent_not_due')
			.filter(event => event.agent === 'hourly');
		expect(notDue.map(event => [event.cycle, event.next_due])).toEqual([
			[2, new Date(local(11)).toISOString()],
			[3, new Date(local(11)).toISOString()],
			[4, new Date(local(11)).toISOString()],
		]);
		const end = recorder
			.ofType('agent_end')
			.find(event => event.status === 'not_due');
		expect(end).toEqual({
			type: 'agent_end',
			time: new Date(local(10, 15)).toISOString(),
			cycle: 2,
			agent: 'hourly',
			status: 'not_due',
			duration_s: 0,
			attempts: 0,
			error: null,
		});
		const order = recorder.events.map(event => event.type);
		const firstNotDue = order.indexOf('agent_not_due');
		expect(order[firstNotDue + 1]).toBe('agent_end');
	});

	test('cron: runs when its next fire time after the last start has passed (fake clock)', async () => {
		// Every 20 minutes from 10:00; fires at 10:30 and 11:00.
		const {results, recorder} = await runCycles(
			{
				orchestrator: {sleepBetweenRunsMinutes: 20},
				agents: {half: agent({cron: '0,30 * * * *'})},
			},
			4,
		);
		// Cycles at 10:00 (never started: due), 10:20 (next 10:30), 10:40 (10:30 passed), 11:00.
		expect(results.map(result => result.half)).toEqual([
			'success',
			'not_due',
			'success',
			'success',
		]);
		expect(recorder.ofType('agent_not_due')[0]?.next_due).toBe(
			new Date(local(10, 30)).toISOString(),
		);
	});

	test('the last start injected (the state file) counts: not due in the first cycle', async () => {
		const {results, recorder} = await runCycles(
			{agents: {hourly: agent({every: '1h'})}},
			1,
			{lastStartOf: name => (name === 'hourly' ? local(9, 30) : undefined)},
		);
		expect(results).toEqual([{hourly: 'not_due'}]);
		expect(recorder.ofType('agent_not_due')[0]?.next_due).toBe(
			new Date(local(10, 30)).toISOString(),
		);
		expect(recorder.ofType('agent_start')).toEqual([]);
	});

	test('an injected last start an hour old is due', async () => {
		const {results} = await runCycles(
			{agents: {hourly: agent({every: '1h'})}},
			1,
			{lastStartOf: () => local(9)},
		);
		expect(results).toEqual([{hourly: 'success'}]);
	});

	test('a not_due dependency counts as met, in a parallel phase and across phases', async () => {
		const {results} = await runCycles(
			{
				agents: {
					risk: agent({critical: true}),
					prices: agent({every: '1h'}),
					trading: agent({dependsOn: ['prices']}),
					report: agent({dependsOn: ['prices']}),
				},
				phases: [
					{name: 'critical', agents: ['risk'], mode: 'sequential'},
					{name: 'fast', agents: ['prices', 'trading']},
					{name: 'slow', agents: ['report']},
				],
			},
			1,
			{lastStartOf: name => (name === 'prices' ? local(9, 45) : undefined)},
		);
		expect(results).toEqual([
			{
				risk: 'success',
				prices: 'not_due',
				trading: 'success',
				report: 'success',
			},
		]);
	});

	test('a failed dependency still skips its dependant: only not_due is met without a success', async () => {
		const config = buildConfig({
			agents: {prices: agent(), trading: agent({dependsOn: ['prices']})},
		});
		const recorder = createRecorder();
		const engine = createEngine({
			config,
			runAgent: createFakeRunner({prices: ['failed']}).run,
			clock: createFakeClock(),
			emit: recorder.emit,
		});
		const outcome = await engine.run({once: true});
		expect(outcome?.results).toEqual({prices: 'failed', trading: 'skipped'});
	});

	test('a not_due agent is no failure: the cycle is not halted and nothing is retried', async () => {
		const {recorder} = await runCycles(
			{agents: {hourly: agent({every: '1h', retries: 3})}},
			1,
			{lastStartOf: () => local(9, 59)},
		);
		expect(recorder.ofType('agent_retry')).toEqual([]);
		expect(recorder.ofType('halt')).toEqual([]);
		expect(recorder.ofType('cycle_end')[0]).toMatchObject({
			halted: false,
			results: {hourly: 'not_due'},
		});
	});
});
