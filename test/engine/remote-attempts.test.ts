import {describe, expect, test} from 'vitest';
import {createEngine} from '../../source/engine/create-engine.js';
import type {RunAgentRequest} from '../../source/runner/run-agent.js';
import {
	buildConfig,
	createFakeClock,
	createFakeRunner,
	createRecorder,
} from '../helpers/index.js';

/*
The engine's side of agents on workers (contract §10), over a fake runner: the runner seam carries
what a worker needs, agent_start waits for the worker's name, and a result that must not be run
again (a lost worker) is never retried, whatever the retries say.
*/

const workers = {redis: 'redis://127.0.0.1:1', queue: 'test'};

async function runOnce(
	agents: Record<string, unknown>,
	script: Parameters<typeof createFakeRunner>[0],
) {
	const config = buildConfig({orchestrator: {workers}, agents});
	const runner = createFakeRunner(script);
	const recorder = createRecorder();
	const engine = createEngine({
		config,
		runAgent: runner.run,
		clock: createFakeClock(),
		emit: recorder.emit,
	});
	const outcome = await engine.run({once: true});
	return {outcome, runner, recorder};
}

/** A remote step: the worker is chosen, then the attempt ends as `result` says. */
const onWorker =
	(worker: string, result: Record<string, unknown> = {}) =>
	async (request: RunAgentRequest) => {
		request.remote?.onWorker(worker);
		return {worker, ...result};
	};

describe('remote attempts behind the runner seam', () => {
	test('an agent with runOn gets the tag, cycle and attempt; the others run as before', async () => {
		const {runner} = await runOnce(
			{
				model: {command: ['model'], enabled: true, runOn: 'gpu', retries: 1},
				local: {command: ['local'], enabled: true},
			},
			{model: ['failed', 'success']},
		);
		const model = runner.calls.filter(call => call.agent === 'model');
		expect(
			model.map(call => ({
				tag: call.remote?.tag,
				cycle: call.remote?.cycle,
				attempt: call.remote?.attempt,
			})),
		).toEqual([
			{tag: 'gpu', cycle: 1, attempt: 1},
			{tag: 'gpu', cycle: 1, attempt: 2},
		]);
		expect(runner.calls.find(call => call.agent === 'local')?.remote).toBe(
			undefined,
		);
	});

	test('agent_start names the worker once one is chosen; attempt_end and agent_end too', async () => {
		const {recorder} = await runOnce(
			{model: {command: ['model'], enabled: true, runOn: 'gpu'}},
			{model: [onWorker('box-1')]},
		);
		expect(recorder.ofType('agent_start')).toMatchObject([
			{agent: 'model', attempt: 1, worker: 'box-1'},
		]);
		expect(recorder.ofType('attempt_end')).toMatchObject([{worker: 'box-1'}]);
		expect(recorder.ofType('agent_end')).toMatchObject([
			{status: 'success', worker: 'box-1'},
		]);
	});

	test('an attempt that found no worker still starts and ends, without a worker', async () => {
		const {recorder} = await runOnce(
			{model: {command: ['model'], enabled: true, runOn: 'gpu'}},
			{
				model: [
					{status: 'failed', error: 'no live worker carries the tag "gpu"'},
				],
			},
		);
		const types = recorder.events
			.filter(event => 'agent' in event && event.agent === 'model')
			.map(event => event.type);
		expect(types.indexOf('agent_start')).toBeLessThan(
			types.indexOf('attempt_end'),
		);
		expect(recorder.ofType('agent_start')[0]).not.toHaveProperty('worker');
		expect(recorder.ofType('agent_end')[0]).toMatchObject({
			status: 'failed',
			error: 'no live worker carries the tag "gpu"',
		});
	});

	test('a lost worker is never retried: a critical agent halts the cycle after one attempt', async () => {
		const {runner, outcome, recorder} = await runOnce(
			{
				risk: {
					command: ['risk'],
					enabled: true,
					critical: true,
					requireVerdict: true,
					retries: 3,
					runOn: 'gpu',
				},
				trading: {command: ['trading'], enabled: true},
			},
			{
				risk: [
					onWorker('box-1', {
						status: 'failed',
						error: 'worker lost',
						noRetry: true,
					}),
				],
			},
		);
		expect(runner.agentsRun()).toEqual(['risk']);
		expect(recorder.ofType('agent_retry')).toEqual([]);
		expect(recorder.ofType('agent_end')[0]).toMatchObject({
			agent: 'risk',
			status: 'failed',
			attempts: 1,
			error: 'worker lost',
			worker: 'box-1',
		});
		expect(outcome?.halted).toBe(true);
	});
});
