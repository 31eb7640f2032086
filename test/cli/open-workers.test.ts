import {expect, test} from 'vitest';
import {missingTags, workerChanges} from '../../source/cli/open-workers.js';

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

test('the start warns of each tag of an enabled agent that no live worker carries', () => {
	expect(
		missingTags(
			[
				{name: 'model', runOn: 'gpu'},
				{name: 'sweep', runOn: 'gpu'},
				{name: 'exec', runOn: 'eu'},
			],
			[worker('a'), {...worker('b'), tags: ['eu'], stopping: true}],
		),
	).toEqual([
		'no live worker carries the tag "eu" (exec): its attempts fail until one does (moondev-tui worker --tags eu)',
	]);
});
