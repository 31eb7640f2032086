import {EventEmitter} from 'node:events';
import {expect, test} from 'vitest';
import {createDrainWaiter} from '../../source/util/drain-waiter.js';

function fakeStream(writableLength: number) {
	// eslint-disable-next-line unicorn/prefer-event-target -- a Writable is an EventEmitter
	return Object.assign(new EventEmitter(), {writableLength});
}

const options = {pauseAtBytes: 100, dropAtBytes: 1000, maxPauseMs: 20};

test('nothing to wait on under the threshold or past the drop limit', () => {
	const stream = fakeStream(100);
	const behind = createDrainWaiter(stream, options);
	expect(behind()).toBeUndefined();
	stream.writableLength = 1001;
	expect(behind()).toBeUndefined();
});

test('behind: one promise, settled by the drain', async () => {
	const stream = fakeStream(500);
	const behind = createDrainWaiter(stream, options);
	const wait = behind();
	expect(wait).toBeInstanceOf(Promise);
	expect(behind()).toBe(wait);
	stream.writableLength = 0;
	stream.emit('drain');
	await wait;
	stream.writableLength = 500;
	expect(behind()).toBeInstanceOf(Promise);
});

test('a stream that does not drain in time is waited on once, then not until it drains', async () => {
	const stream = fakeStream(500);
	const behind = createDrainWaiter(stream, options);
	await behind();
	expect(behind()).toBeUndefined();
	stream.emit('drain');
	expect(behind()).toBeInstanceOf(Promise);
});
