import {getEventListeners} from 'node:events';
import {describe, expect, test} from 'vitest';
import {linkAbort} from '../../source/engine/linked-abort.js';
import {createOutputBatcher} from '../../source/engine/output-batcher.js';
import {runCycle} from '../../source/engine/run-cycle.js';
import {
	buildConfig,
	createFakeClock,
	createFakeRunner,
	createRecorder,
} from '../helpers/index.js';

describe('linkAbort', () => {
	test('the source aborting aborts the controller, with its reason', () => {
		const stop = new AbortController();
		const cancel = new AbortController();
		linkAbort(cancel, stop.signal);
		stop.abort('stopping');
		expect(cancel.signal.aborted).toBe(true);
		expect(cancel.signal.reason).toBe('stopping');
	});

	test('an aborted source aborts the controller at once and adds no listener', () => {
		const stop = new AbortController();
		stop.abort();
		const cancel = new AbortController();
		linkAbort(cancel, stop.signal);
		expect(cancel.signal.aborted).toBe(true);
		expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
	});

	test('aborting the controller leaves the source alone', () => {
		const stop = new AbortController();
		const cancel = new AbortController();
		const unlink = linkAbort(cancel, stop.signal);
		cancel.abort();
		unlink();
		expect(stop.signal.aborted).toBe(false);
		expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
	});

	test('unlinking removes the listener from the long-lived source', () => {
		const stop = new AbortController();
		// One agent per cycle, many cycles: nothing may pile up on the engine's stop signal.
		for (let cycle = 0; cycle < 1000; cycle++) {
			const cancel = new AbortController();
			const unlink = linkAbort(cancel, stop.signal);
			expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
			unlink();
		}

		expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
		const cancel = new AbortController();
		const unlink = linkAbort(cancel, stop.signal);
		unlink();
		stop.abort();
		expect(cancel.signal.aborted).toBe(false);
	});
});

/**
What `AbortSignal.any` leaves on a source signal on Node 20 (an internal set that only grows); 0
where Node keeps no such set.
*/
function dependantsOf(signal: AbortSignal): number {
	const key = Object.getOwnPropertySymbols(signal).find(
		symbol => symbol.description === 'kDependantSignals',
	);
	const dependants = key
		? (signal as unknown as Record<symbol, Set<unknown> | undefined>)[key]
		: undefined;
	return dependants?.size ?? 0;
}

describe('runCycle and the stop signal', () => {
	const cycleOn = async (
		stop: AbortController,
		runner: ReturnType<typeof createFakeRunner>,
		cycle: number,
	) => {
		const agent = {command: ['agent'], enabled: true};
		const config = buildConfig({
			agents: {risk: {...agent, critical: true}, a: agent, b: agent},
		});
		const recorder = createRecorder();
		return runCycle({
			config,
			runAgent: runner.run,
			clock: createFakeClock(),
			emit: recorder.emit,
			cycle,
			output: createOutputBatcher(recorder.emit),
			isEnabled: () => true,
			healthOf: () => 'unknown',
			stopSignal: stop.signal,
			running: new Map(),
		});
	};

	test('cycles leave nothing on the long-lived stop signal', async () => {
		const stop = new AbortController();
		const runner = createFakeRunner({risk: ['failed', 'success']});
		for (let cycle = 1; cycle <= 3; cycle++) {
			await cycleOn(stop, runner, cycle);
		}

		expect(runner.calls).toHaveLength(10);
		expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
		expect(dependantsOf(stop.signal)).toBe(0);
	});

	test('the stop still reaches a running agent', async () => {
		const stop = new AbortController();
		let seen: AbortSignal | undefined;
		const runner = createFakeRunner({
			risk: [
				async request => {
					seen = request.signal;
					stop.abort();
					return {status: request.signal?.aborted ? 'cancelled' : 'success'};
				},
			],
		});
		const outcome = await cycleOn(stop, runner, 1);
		expect(seen?.aborted).toBe(true);
		expect(outcome.results).toMatchObject({risk: 'cancelled', a: 'skipped'});
		expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
	});
});
