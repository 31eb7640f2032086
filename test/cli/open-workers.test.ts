import {expect, test} from 'vitest';
import {workerChanges} from '../../source/cli/open-workers.js';

/* The engine says when a worker joins, stops cleanly, or is lost (an alert each). */

const worker = (
	id: string,
	extra: {running?: number; stopping?: boolean} = {},
) => ({
	id,
	host: 'box',
	tags: ['gpu'],
	concurrency: 2,
	running: extra.running ?? 0,
	stopping: extra.stopping ?? false,
});

test('joined, stopped cleanly, lost with attempts running', () => {
	expect(
		workerChanges(
			[worker('a', {running: 1}), worker('b', {stopping: true}), worker('c')],
			[worker('c'), worker('d')],
		),
	).toEqual([
		{level: 'info', message: 'worker d joined (tags gpu)'},
		{
			level: 'warning',
			message: 'worker a lost: its heartbeat stopped with 1 attempt(s) running',
		},
		{level: 'info', message: 'worker b stopped'},
	]);
	expect(workerChanges([worker('a')], [worker('a', {running: 2})])).toEqual([]);
});
