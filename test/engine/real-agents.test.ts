import process from 'node:process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import {runInNewContext} from 'node:vm';
import {expect, test} from 'vitest';
import {systemClock} from '../../source/engine/clock.js';
import {createEngine} from '../../source/engine/create-engine.js';
import {createEventBus} from '../../source/engine/event-bus.js';
import {recentLinesCapacity} from '../../source/contract/capacities.js';
import {runAgent} from '../../source/runner/run-agent.js';
import {createAppStore} from '../../source/store/create-app-store.js';
import {buildConfig, fixture, temporaryDirectory} from '../helpers/index.js';

test('the pool never runs more than maxWorkers at once, as the agents themselves see it', async () => {
	const dir = temporaryDirectory();
	const names = Array.from({length: 7}, (_, index) => `probe${index}`);
	const config = buildConfig({
		orchestrator: {maxWorkers: 3},
		agents: Object.fromEntries(
			names.map(name => [
				name,
				{
					command: ['node', fixture('pool-probe.mjs'), dir, '400'],
					enabled: true,
				},
			]),
		),
	});
	const engine = createEngine({
		config,
		runAgent,
		clock: systemClock,
		emit: () => undefined,
	});
	const outcome = await engine.run({once: true});
	expect(Object.values(outcome?.results ?? {})).toEqual(
		names.map(() => 'success'),
	);
	const seen = names.map(name =>
		Number(readFileSync(path.join(dir, `${name}.seen`), 'utf8')),
	);
	expect(Math.max(...seen)).toBeLessThanOrEqual(3);
	// They did overlap: the pool is a pool, not a queue of one.
	expect(Math.max(...seen)).toBeGreaterThan(1);
});

test('an agent that prints 50 MB does not grow memory past the ring buffer', async () => {
	v8.setFlagsFromString('--expose-gc');
	const gc = runInNewContext('gc') as () => void;
	const config = buildConfig({
		agents: {
			flood: {command: ['node', fixture('flood.mjs'), '50'], enabled: true},
		},
	});
	const bus = createEventBus();
	let linesSeen = 0;
	let peakHeap = 0;
	const sampler = setInterval(() => {
		peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
	}, 5);

	const engine = createEngine({
		config,
		runAgent,
		clock: systemClock,
		emit: bus.emit,
		onLines(_agent, lines) {
			linesSeen += lines.length;
		},
	});
	const store = createAppStore({config, controls: engine});
	bus.listen(store.getState().apply);
	gc();
	const before = process.memoryUsage().heapUsed;
	const outcome = await engine.run({once: true});
	clearInterval(sampler);
	gc();
	const after = process.memoryUsage().heapUsed;

	expect(outcome?.results).toEqual({flood: 'success'});
	const expectedLines = Math.ceil((50 * 1024 * 1024) / 96_000) * 1000 + 1;
	expect(linesSeen).toBe(expectedLines);
	const agent = store.getState().agents.flood;
	expect(agent?.recentLines).toHaveLength(recentLinesCapacity);
	// The last line it printed, then the mark of its attempt's end (and one of its start, counted).
	expect(agent?.recentLines.at(-2)?.text).toBe('the last line');
	expect(agent?.recentLines.at(-1)?.kind).toBe('mark');
	expect(agent?.recentLines.at(-1)?.text).toMatch(
		/^attempt 1 ended: success in /,
	);
	expect(agent?.totalLines).toBe(expectedLines + 2);
	// 50 MB went through; what stays is a ring of 500 short lines.
	expect(after - before).toBeLessThan(10 * 1024 * 1024);
	expect(peakHeap - before).toBeLessThan(40 * 1024 * 1024);
});
