import type {NotifyRequest} from './types.js';

/*
Delivery to ONE notification target (contract §9), off the engine's path: `enqueue` only puts a
request in this target's queue and returns; one request at a time is sent from there, in order,
with a timeout per request and retries with backoff.

- 2xx: sent.
- 429: waits for its Retry-After (seconds or an HTTP date, capped at maxDelayMs × 5; backoff when
  there is none) before the next attempt, of this request or the next one, and never earlier. It
  uses up an attempt, but is not the target failing: a request that runs out of attempts on 429s is
  counted failed without bringing the target nearer to "down".
- 5xx, 408, a timeout, a network error: retried after backoff, exponential ×2 from baseDelayMs with
  full jitter, capped at maxDelayMs, up to maxAttempts attempts in all.
- Any other status (a 4xx, and a 3xx too: redirects are not followed, so the body never goes to
  another host): fails at once, as a URL that is not http(s) does: a wrong URL does not heal.

After `downAfter` requests in a row have failed, the target is down: `onDown` once, and while it
is down each next request waits `retryDownAfterMs` after the last failure. The first request
sent after that calls `onUp`.

The URL is a secret (webhook URLs carry tokens): no reason names it, nor anything an error thrown
by fetch says about it (only its name, or the `code` of its cause); a reason names the target by
its label. Nothing here throws into the caller, the callbacks' own throws included, and no timer
of ours holds the process open but drain's deadline, which is what a caller of drain asked for.
*/

export type DeliveryOptions = {
	/** Secret: never put in a reason or an error, only `label` is. */
	readonly url: string;
	/** "#1 slack hooks.slack.com": how the reasons name the target. */
	readonly label: string;
	/** Per attempt: until the response's status line and headers. */
	readonly timeoutMs: number;
	/** Attempts per request, the first included. @default 4 */
	readonly maxAttempts?: number;
	/** Backoff base: ×2 per attempt, full jitter, capped at maxDelayMs. @default 1000 */
	readonly baseDelayMs?: number;
	/** The longest backoff; a Retry-After is capped at five times this. @default 60_000 */
	readonly maxDelayMs?: number;
	/** Requests failed (after all their attempts) in a row before the target is down. @default 2 */
	readonly downAfter?: number;
	/** While down, how long after a failed request the next one is tried. @default 60_000 */
	readonly retryDownAfterMs?: number;
	/**
	Waiting requests at most: past it the oldest non-critical one is dropped, or, when only critical
	ones wait (a target down for hours), the oldest of those (counted either way). @default 500
	*/
	readonly maxQueued?: number;
	/** @default globalThis.fetch */
	readonly fetch?: typeof fetch;
	/** Waits `ms`, or less when `signal` aborts; never needs to reject. @default an unref'd timer */
	readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** In [0, 1): the jitter. @default Math.random */
	readonly random?: () => number;
	/** Once per down spell: the label, then what failed (HTTP status, timeout, network error); never the URL. */
	readonly onDown?: (reason: string) => void;
	/** When a request is sent again after the target was down. */
	readonly onUp?: () => void;
};

export type DeliveryStats = {
	/** Requests that got a 2xx. */
	readonly sent: number;
	/** Requests given up: out of attempts, not retried, or left over at drain, close or after them. */
	readonly failed: number;
	/** Non-critical requests dropped because the queue was full. */
	readonly dropped: number;
	/** Requests not settled yet: waiting, plus the one being sent. */
	readonly queued: number;
};

export type TargetDelivery = {
	/** Never throws, never blocks. After drain or close, the request is counted failed at once. */
	readonly enqueue: (
		request: NotifyRequest,
		options?: {readonly critical?: boolean},
	) => void;
	readonly stats: () => DeliveryStats;
	/** Waits until the queue is empty or `ms` passed (whichever first); what is left is counted as failed and dropped; no new request starts after. */
	readonly drain: (ms: number) => Promise<void>;
	/** Aborts the request in flight, drops the rest (counted failed). */
	readonly close: () => void;
};

/** What one attempt came to. */
type Outcome =
	| {readonly kind: 'sent'}
	/** 429: `waitMs` from its Retry-After, undefined without one. */
	| {
			readonly kind: 'limited';
			readonly waitMs: number | undefined;
			readonly reason: string;
	  }
	| {readonly kind: 'retry'; readonly reason: string}
	| {readonly kind: 'fail'; readonly reason: string}
	| {readonly kind: 'closed'};

type Item = {
	readonly request: NotifyRequest;
	readonly critical: boolean;
	/** Counted already (close counts the one in flight). */
	settled: boolean;
};

/** The longest delay setTimeout takes; longer ones fire at once. */
const maxTimerMs = 2_147_483_647;

/**
A Retry-After header's wait in ms, from `now`: delay-seconds or an HTTP date (a past one is 0).
Undefined when there is none or it does not parse.
*/
export function parseRetryAfter(
	value: string | undefined,
	now: number,
): number | undefined {
	const text = value?.trim() ?? '';
	if (/^\d+(?:\.\d+)?$/v.test(text)) {
		return Math.round(Number(text) * 1000);
	}

	// An HTTP date has a day or a month name; Date.parse alone takes "1 2" for a date.
	if (!/[a-z]/iv.test(text)) {
		return undefined;
	}

	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** An unref'd timer that ends early when `signal` aborts. */
async function unrefSleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise(resolve => {
		if (signal?.aborted) {
			resolve();
			return;
		}

		const done = () => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		};

		const timer = setTimeout(done, ms);
		timer.unref();
		signal?.addEventListener('abort', done, {once: true});
	});
}

/** What a network error was, by its cause's code only: its message may name the URL. */
export function networkReason(error: unknown): string {
	const cause =
		typeof error === 'object' && error !== null && 'cause' in error
			? error.cause
			: undefined;
	const code =
		typeof cause === 'object' &&
		cause !== null &&
		'code' in cause &&
		typeof cause.code === 'string' &&
		/^[A-Z][A-Z\d_]{0,40}$/v.test(cause.code)
			? cause.code
			: undefined;
	return code === undefined ? 'network error' : `network error (${code})`;
}

/** Why a URL can never be sent to, or undefined. Names no part of it. */
function urlProblem(url: string): string | undefined {
	try {
		const {protocol} = new URL(url);
		return protocol === 'http:' || protocol === 'https:'
			? undefined
			: 'the URL is not http or https';
	} catch {
		return 'the URL is not valid';
	}
}

function whole(value: number | undefined, fallback: number, least = 0) {
	return value !== undefined && Number.isFinite(value)
		? Math.max(least, Math.floor(value))
		: fallback;
}

export function createTargetDelivery(options: DeliveryOptions): TargetDelivery {
	const {url, label} = options;
	const timeoutMs = whole(options.timeoutMs, 5000, 1);
	const maxAttempts = whole(options.maxAttempts, 4, 1);
	const baseDelayMs = whole(options.baseDelayMs, 1000);
	const maxDelayMs = whole(options.maxDelayMs, 60_000);
	const downAfter = whole(options.downAfter, 2, 1);
	const retryDownAfterMs = whole(options.retryDownAfterMs, 60_000);
	const maxQueued = whole(options.maxQueued, 500);
	const fetchRequest = options.fetch ?? globalThis.fetch;
	const sleep = options.sleep ?? unrefSleep;
	const random = options.random ?? Math.random;
	const badUrl = urlProblem(url);

	const waiting: Item[] = [];
	let current: Item | undefined;
	let inFlight: AbortController | undefined;
	/** Aborts the sleeps at close. */
	const stop = new AbortController();
	let running = false;
	let closed = false;
	let sent = 0;
	let failed = 0;
	let dropped = 0;
	/** Requests failed in a row (429s aside). */
	let failedInRow = 0;
	let down = false;
	/** No attempt starts before this (Date.now()): a 429's Retry-After, or the wait while down. */
	let notBefore = 0;
	/** Drains waiting for the queue to empty. */
	const idleWaiters = new Set<() => void>();

	const call = (callback: (() => void) | undefined) => {
		try {
			callback?.();
		} catch {
			// A callback's throw is its own business, not the caller of enqueue's.
		}
	};

	const pause = async (ms: number) => {
		if (ms <= 0 || closed) {
			return;
		}

		try {
			await sleep(Math.min(ms, maxTimerMs), stop.signal);
		} catch {
			// An injected sleep that rejects (on abort, say) has still ended the wait.
		}
	};

	/** Exponential ×2 from baseDelayMs, capped at maxDelayMs, full jitter. */
	const backoff = (attempt: number) => {
		const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
		const jitter = Math.min(Math.max(Number(random()) || 0, 0), 1);
		return Math.floor(jitter * ceiling);
	};

	const attemptOnce = async (request: NotifyRequest): Promise<Outcome> => {
		if (badUrl !== undefined) {
			return {kind: 'fail', reason: badUrl};
		}

		const controller = new AbortController();
		const timeout = AbortSignal.timeout(timeoutMs);
		const onTimeout = () => {
			controller.abort(timeout.reason);
		};

		timeout.addEventListener('abort', onTimeout, {once: true});
		inFlight = controller;
		try {
			const response = await fetchRequest(url, {
				method: request.method,
				headers: request.headers,
				body: request.body,
				redirect: 'manual',
				signal: controller.signal,
			});
			const {status} = response;
			const retryAfter = response.headers.get('retry-after') ?? undefined;
			try {
				// The body is not wanted: let the connection go.
				await response.body?.cancel();
			} catch {
				// Cancelling what is not wanted cannot fail in a way that matters.
			}

			if (status >= 200 && status < 300) {
				return {kind: 'sent'};
			}

			if (status === 429) {
				const waitMs = parseRetryAfter(retryAfter, Date.now());
				return {
					kind: 'limited',
					waitMs:
						waitMs === undefined ? undefined : Math.min(waitMs, maxDelayMs * 5),
					reason: 'HTTP 429 (rate limited)',
				};
			}

			if (status === 408 || (status >= 500 && status < 600)) {
				return {kind: 'retry', reason: `HTTP ${status}`};
			}

			return {
				kind: 'fail',
				reason:
					status >= 300 && status < 400
						? `HTTP ${status} (a redirect, not followed)`
						: `HTTP ${status}`,
			};
		} catch (error) {
			if (closed) {
				return {kind: 'closed'};
			}

			if (timeout.aborted) {
				return {kind: 'retry', reason: `timed out after ${timeoutMs} ms`};
			}

			return {kind: 'retry', reason: networkReason(error)};
		} finally {
			timeout.removeEventListener('abort', onTimeout);
			inFlight = undefined;
		}
	};

	/** One request, through all its attempts. */
	const deliver = async (request: NotifyRequest): Promise<Outcome> => {
		for (let attempt = 1; ; attempt++) {
			// eslint-disable-next-line no-await-in-loop -- one attempt after another is what this is
			await pause(notBefore - Date.now());
			if (closed) {
				return {kind: 'closed'};
			}

			// eslint-disable-next-line no-await-in-loop -- one attempt after another is what this is
			const outcome = await attemptOnce(request);
			if (outcome.kind === 'limited') {
				// Never earlier than the target said, for this request's next attempt or the next request.
				const waitMs = outcome.waitMs ?? backoff(attempt);
				notBefore = Math.max(notBefore, Date.now() + waitMs);
			}

			if (
				outcome.kind === 'sent' ||
				outcome.kind === 'fail' ||
				outcome.kind === 'closed' ||
				attempt >= maxAttempts
			) {
				return outcome;
			}

			if (outcome.kind === 'retry') {
				// eslint-disable-next-line no-await-in-loop -- the backoff before the next attempt
				await pause(backoff(attempt));
			}
		}
	};

	const settle = (item: Item, outcome: Outcome) => {
		if (item.settled || outcome.kind === 'closed') {
			return;
		}

		item.settled = true;
		if (outcome.kind === 'sent') {
			sent++;
			failedInRow = 0;
			if (down) {
				down = false;
				call(options.onUp);
			}

			return;
		}

		failed++;
		if (outcome.kind === 'limited') {
			// Rate limited is not failing: the target answered.
			return;
		}

		failedInRow++;
		if (failedInRow < downAfter) {
			return;
		}

		notBefore = Math.max(notBefore, Date.now() + retryDownAfterMs);
		if (!down) {
			down = true;
			const reason = `${label}: ${outcome.reason} (${failedInRow} requests failed in a row)`;
			call(() => options.onDown?.(reason));
		}
	};

	const wakeDrains = () => {
		for (const wake of idleWaiters) {
			wake();
		}
	};

	const pump = async () => {
		try {
			// `closed` is set by close(), while a request is awaited.
			while (waiting.length > 0) {
				if (closed) {
					break;
				}

				const item = waiting.shift()!;
				current = item;
				// eslint-disable-next-line no-await-in-loop -- one request at a time, in order
				const outcome = await deliver(item.request);
				current = undefined;
				settle(item, outcome);
			}
		} catch {
			// Nothing above throws; should it, the requests left are still counted at drain or close.
		} finally {
			current = undefined;
			running = false;
			if (waiting.length === 0) {
				wakeDrains();
			}
		}
	};

	const close = () => {
		if (closed) {
			return;
		}

		closed = true;
		if (current !== undefined && !current.settled) {
			current.settled = true;
			failed++;
		}

		current = undefined;
		failed += waiting.length;
		waiting.length = 0;
		stop.abort();
		inFlight?.abort();
		wakeDrains();
	};

	const enqueue: TargetDelivery['enqueue'] = (request, enqueueOptions) => {
		try {
			if (closed) {
				failed++;
				return;
			}

			const critical = enqueueOptions?.critical === true;
			const item: Item = {request, critical, settled: false};
			if (critical) {
				// Ahead of the non-critical ones, behind the critical ones already waiting.
				const firstPlain = waiting.findIndex(waiter => !waiter.critical);
				waiting.splice(
					firstPlain === -1 ? waiting.length : firstPlain,
					0,
					item,
				);
			} else {
				waiting.push(item);
			}

			while (waiting.length > maxQueued) {
				// The oldest non-critical request goes first; only a queue of nothing but critical ones
				// (a target down for hours) loses its oldest critical one: memory stays bounded.
				const oldestPlain = waiting.findIndex(waiter => !waiter.critical);
				waiting.splice(oldestPlain === -1 ? 0 : oldestPlain, 1);
				dropped++;
			}

			if (!running) {
				running = true;
				// Started after the caller's code has run on: enqueue does no I/O itself.
				queueMicrotask(() => {
					void pump();
				});
			}
		} catch {
			// Never into the caller.
		}
	};

	const drain = async (ms: number): Promise<void> => {
		if (closed) {
			return;
		}

		if (current === undefined && waiting.length === 0) {
			close();
			return;
		}

		return new Promise(resolve => {
			const finish = () => {
				clearTimeout(timer);
				idleWaiters.delete(finish);
				close();
				resolve();
			};

			// Not unref'd: whoever awaits drain asked to wait this long at most.
			const timer = setTimeout(
				finish,
				Math.min(Math.max(0, Number(ms) || 0), maxTimerMs),
			);
			idleWaiters.add(finish);
		});
	};

	return {
		enqueue,
		stats: () => ({
			sent,
			failed,
			dropped,
			queued: waiting.length + (current === undefined ? 0 : 1),
		}),
		drain,
		close,
	};
}
