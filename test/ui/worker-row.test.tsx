import {expect, test} from 'vitest';
import {reduce} from '../../source/store/reduce.js';
import {createInitialState} from '../../source/store/state.js';
import {AgentRow} from '../../source/ui/agent-row.js';
import {renderWithStore, uiConfig} from '../helpers/render.js';

/* An agent on a worker (contract §10) says on which, on its row and in its log view's marks. */

const time = '2026-11-02T10:00:00.000Z';

test("a remote agent's row names its worker", () => {
	const {lastFrame} = renderWithStore(
		<AgentRow
			isSelected={false}
			name="trading"
			now={Date.parse(time)}
			width={120}
		/>,
		{
			events: [
				{type: 'cycle_start', time, cycle: 1},
				{
					type: 'agent_start',
					time,
					cycle: 1,
					agent: 'trading',
					attempt: 1,
					worker: 'gpu-box-4242-ab12',
				},
			],
		},
	);
	expect(lastFrame()).toContain('@gpu-box-4242-ab12');
});

test('the store keeps the worker of the last attempt, a local attempt has none, and the workers seen', () => {
	let state = createInitialState(uiConfig(), () => true, []);
	state = reduce(state, {
		type: 'agent_start',
		time,
		cycle: 1,
		agent: 'trading',
		attempt: 1,
		worker: 'box-1',
	});
	expect(state.agents.trading?.worker).toBe('box-1');
	expect(state.agents.trading?.recentLines.at(-1)?.text).toContain(
		'on worker box-1',
	);
	state = reduce(state, {
		type: 'agent_start',
		time,
		cycle: 2,
		agent: 'trading',
		attempt: 1,
	});
	expect(state.agents.trading?.worker).toBeUndefined();
	const workers = [
		{
			id: 'box-1',
			host: 'box',
			tags: ['gpu'],
			concurrency: 2,
			running: 1,
			stopping: false,
		},
	];
	state = reduce(state, {type: 'workers', time, workers});
	expect(state.workers).toEqual(workers);
});
