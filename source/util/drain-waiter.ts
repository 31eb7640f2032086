/** The part of a Writable a drain waiter reads. */
type Drainable = {
	readonly writableLength: number;
	once(event: 'drain', listener: () => void): unknown;
	on(event: 'drain', listener: () => void): unknown;
	off(event: 'drain', listener: () => void): unknown;
};

export type DrainWaiterOptions = {
	/** Unwritten bytes past which the writer is behind. */
	readonly pauseAtBytes: number;
	/** Past this many the caller drops what it writes instead: no wait then. */
	readonly dropAtBytes: number;
	/** The longest wait; a stream that does not drain within it is not waited on again until it does. */
	readonly maxPauseMs: number;
};

/**
Backpressure with a bound, for a reader that would otherwise outrun a writer: returns a promise
when the stream is behind (past `pauseAtBytes`), settled on its 'drain' or after `maxPauseMs`,
whichever comes first, and nothing otherwise. A stream that did not drain in time (a stopped disk,
a reader that stopped) is stalled: not waited on again until it drains, so what feeds it is held up
once, for `maxPauseMs`, and the caller's own limit (`dropAtBytes`) applies as before.
*/
export function createDrainWaiter(
	stream: Drainable,
	{pauseAtBytes, dropAtBytes, maxPauseMs}: DrainWaiterOptions,
): () => Promise<void> | undefined {
	let waiting: Promise<void> | undefined;
	let stalled = false;
	stream.on('drain', () => {
		stalled = false;
	});
	// Not async: nothing to wait on must stay undefined, not a promise.
	// eslint-disable-next-line @typescript-eslint/promise-function-async
	return () => {
		const pending = stream.writableLength;
		if (stalled || pending <= pauseAtBytes || pending > dropAtBytes) {
			return undefined;
		}

		waiting ??= new Promise<void>(resolve => {
			const done = () => {
				clearTimeout(timer);
				stream.off('drain', done);
				waiting = undefined;
				resolve();
			};

			const timer = setTimeout(() => {
				stalled = true;
				done();
			}, maxPauseMs);
			// A stream ended while behind may never say 'drain': its wait must not hold the exit.
			timer.unref();
			stream.once('drain', done);
		});
		return waiting;
	};
}
