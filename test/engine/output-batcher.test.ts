import {describe, expect, test} from 'vitest';
import {createOutputBatcher} from '../../source/engine/output-batcher.js';
import {createRecorder} from '../helpers/index.js';

describe('the output batcher', () => {
	test('a batch says which of its lines came from stderr, in order, and nothing when none did', () => {
		const recorder = createRecorder();
		const batcher = createOutputBatcher(recorder.emit, {intervalMs: 10_000});
		const {push} = batcher;
		push('news', ['out 1', 'out 2']);
		push('news', ['err 1'], 'stderr');
		push('news', ['out 3'], 'stdout');
		push('risk', ['only out']);
		batcher.close();
		const [news, risk] = recorder.ofType('agent_output');
		expect(news).toMatchObject({
			agent: 'news',
			lines: ['out 1', 'out 2', 'err 1', 'out 3'],
			stderr: [2],
			dropped: 0,
		});
		expect(risk?.lines).toEqual(['only out']);
		expect(risk).not.toHaveProperty('stderr');
	});

	test('when the ring overflows, the stderr marks stay with their lines', () => {
		const recorder = createRecorder();
		const batcher = createOutputBatcher(recorder.emit, {
			intervalMs: 10_000,
			capacity: 3,
		});
		const {push} = batcher;
		push('news', ['a', 'b']);
		push('news', ['c', 'd'], 'stderr');
		push('news', ['e']);
		batcher.close();
		expect(recorder.ofType('agent_output')[0]).toMatchObject({
			lines: ['c', 'd', 'e'],
			stderr: [0, 1],
			dropped: 2,
		});
	});
});
