import {expect, test} from 'vitest';
import {pickWorker} from '../../source/fleet/pick-worker.js';

/* The engine sends an attempt to the live worker with the tag that has the most room. */

const worker = (
	id: string,
	tags: string[],
	extra: {running?: number; concurrency?: number; stopping?: boolean} = {},
) => ({
	id,
	host: 'box',
	pid: 1,
	tags,
	concurrency: extra.concurrency ?? 1,
	stopping: extra.stopping ?? false,
	running: Array.from({length: extra.running ?? 0}, (_, index) => ({
		agent: 'a',
		cycle: 1,
		attempt: 1,
		engine: 'e',
		job: `j${index}`,
	})),
});

test('the tag, then the most room; a stopping worker is never picked', () => {
	const workers = [
		worker('busy', ['gpu'], {running: 1}),
		worker('roomy', ['gpu'], {running: 1, concurrency: 4}),
		worker('eu', ['eu']),
		worker('leaving', ['gpu'], {stopping: true}),
	];
	expect(pickWorker(workers, 'gpu', new Map())?.id).toBe('roomy');
	// Attempts this engine has sent and not seen end count before the worker's heartbeat shows them.
	expect(pickWorker(workers, 'gpu', new Map([['roomy', 4]]))?.id).toBe('busy');
	expect(pickWorker(workers, 'eu', new Map())?.id).toBe('eu');
	expect(pickWorker(workers, 'tpu', new Map())).toBeUndefined();
});
