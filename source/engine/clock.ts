import {setTimeout as delay} from 'node:timers/promises';

/**
Time as the engine sees it. Injected, so that tests run retries, backoff and the sleep between
cycles without waiting for real.
*/
export type Clock = {
	/** Milliseconds since the epoch. */
	readonly now: () => number;
	/** Resolves after `ms`, or as soon as `signal` aborts; never rejects. */
	readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/** The real clock. */
export const systemClock: Clock = {
	now: () => Date.now(),
	async sleep(ms, signal) {
		if (signal?.aborted) {
			return;
		}

		await delay(ms, undefined, {signal}).catch(() => undefined);
	},
};
