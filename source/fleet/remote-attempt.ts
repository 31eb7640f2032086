import {performance} from 'node:perf_hooks';
import {setTimeout as delay} from 'node:timers/promises';
import type {Queue} from 'bullmq';
import type {Redis} from 'ioredis';
import type {
	AttemptResult,
	LinesBackpressure,
	RemoteAttempt,
	RunAgentRequest,
} from '../runner/run-agent.js';
import {describeRedisError} from './connect-redis.js';
import {pickWorker} from './pick-worker.js';
import {
	batchField,
	claimTtlMs,
	type FleetKeys,
	type OutputItem,
	parseJson,
	type RemoteResult,
	type WorkerBeat,
	workerTtlMs,
} from './fleet-keys.js';

/*
Just past 300 lines because one remote attempt's life is one sequence over shared state, as a local
one's is in run-agent.ts: send the job, read its output in order, cancel on a timeout or a stop,
watch the worker's heartbeat and the link, and say how it ended.
*/

/** What one remote attempt needs of the engine's fleet. */
export type RemoteContext = {
	readonly engineId: string;
	readonly keys: FleetKeys;
	readonly redis: Redis;
	/** The live workers now, read from Redis. */
	readonly liveWorkers: () => Promise<readonly WorkerBeat[]>;
	readonly queueOf: (worker: string) => Queue;
	/** Why nothing may be sent now (the queue's lock is lost), if so. */
	readonly blocked: () => string | undefined;
	/** Attempts this engine has given each worker and not seen end. */
	readonly given: Map<string, number>;
	readonly nextJobId: () => string;
};

/** How often a remote attempt checks that its worker is alive, and how long a read blocks. */
const checkEveryMs = 250;
/** How long a cancel may wait for Redis. */
const cancelWaitMs = 1000;
/** How long sending a job may take (no longer than the attempt's timeout). */
const sendWaitMs = 5000;
const sendFloorMs = 1000;
/** How often a cancel is published again until the attempt's end is read. */
const republishMs = 1000;
/** After a cancel, the worker has its kill grace plus this to answer before the engine gives up. */
const answerMarginMs = 5000;

/**
Runs one attempt of an agent with `runOn` on a worker (contract §10): picks a live worker with the
tag (the least busy), sends it a job with the agent's name, cycle and attempt only, relays its
output and protocol messages as they come, and returns its result. The engine's timeout and
cancel reach the worker (a cancel on the channel, BullMQ's cancelJob there); a worker whose
heartbeat expires mid-attempt makes it `failed` ("worker lost"), never retried.
*/
export async function runRemoteAttempt(
	context: RemoteContext,
	request: RunAgentRequest,
	remote: RemoteAttempt,
): Promise<AttemptResult> {
	const started = performance.now();
	/** A halt the agent sent: kept whatever happens after (a halt is a halt). */
	let haltSeen: string | undefined;
	const failed = (
		error: string,
		extra: {noRetry?: boolean; worker?: string} = {},
	): AttemptResult => ({
		status: 'failed',
		exitCode: undefined,
		signal: undefined,
		error,
		haltReason: haltSeen,
		durationMs: performance.now() - started,
		malformedLines: 0,
		passed: false,
		untrustedLines: [],
		...extra,
	});

	if (request.signal?.aborted) {
		return {...failed('cancelled before it started'), status: 'cancelled'};
	}

	const blocked = context.blocked();
	if (blocked) {
		return failed(`not sent to a worker: ${blocked}`);
	}

	let workers: readonly WorkerBeat[];
	try {
		workers = await context.liveWorkers();
	} catch (error) {
		return failed(`cannot reach Redis (${describeRedisError(error)})`);
	}

	const worker = pickWorker(workers, remote.tag, context.given);
	if (!worker) {
		return failed(`no live worker carries the tag "${remote.tag}"`);
	}

	remote.onWorker(worker.id);
	const jobId = context.nextJobId();
	const key = context.keys.output(jobId);
	const queue = context.queueOf(worker.id);
	const reader = context.redis.duplicate();
	reader.on('error', () => undefined);
	context.given.set(worker.id, (context.given.get(worker.id) ?? 0) + 1);
	let sending = false;
	try {
		await reader.connect();
		sending = true;
		// Bounded: BullMQ's connection retries forever on a link that hangs.
		await deadline(
			queue.add(
				request.agent,
				{
					agent: request.agent,
					cycle: remote.cycle,
					attempt: remote.attempt,
					engine: context.engineId,
				},
				// The engine decides retries: BullMQ never runs a job twice.
				{jobId, attempts: 1, removeOnComplete: true, removeOnFail: true},
			),
			Math.min(
				sendWaitMs,
				// At least sendFloorMs: a short timeout must not fail a send that is merely slow.
				Math.max(
					sendFloorMs,
					request.timeoutMs - (performance.now() - started),
				),
			),
			request.signal,
		);
	} catch (error) {
		reader.disconnect();
		context.given.set(worker.id, (context.given.get(worker.id) ?? 1) - 1);
		if (sending) {
			void settleLater(context, jobId);
		}

		// Once sending began it may have been sent: fail closed, never run again this cycle.
		return failed(`cannot send it to a worker (${describeRedisError(error)})`, {
			noRetry: sending,
			worker: worker.id,
		});
	}

	let stoppedBy: 'timeout' | 'cancelled' | undefined;
	let cancelSentAt: number | undefined;
	let lastId = '0';
	let end: RemoteResult | undefined;
	let lastCheck = performance.now();
	let lastAnswer = performance.now();
	let outcome: AttemptResult | undefined;
	/** A start item was read: it ran, so it is never "never started". */
	let startSeen = false;
	/** Whether the engine's `cancelled` claim is known to be in Redis (it won, or lost to `started`). */
	let claimSettled = false;
	let cancelReason = '';
	let lastPublish = 0;

	/**
	Asks the worker to cancel (pub/sub, and durably), and claims the job `cancelled` (NX): true only
	when that claim won, i.e. the worker never started it and never will. Bounded: a Redis that does
	not answer must not hold a stop.
	*/
	const sendCancel = async (reason: string) => {
		cancelSentAt = performance.now();
		cancelReason = reason;
		lastPublish = cancelSentAt;
		const replies = await bounded(
			context.redis
				.multi()
				.publish(
					context.keys.cancel,
					JSON.stringify({worker: worker.id, job: jobId, reason}),
				)
				.set(context.keys.cancelOf(jobId), reason, 'PX', claimTtlMs)
				.set(context.keys.claim(jobId), 'cancelled', 'PX', claimTtlMs, 'NX')
				.exec(),
		);
		const claim = replies?.[2];
		if (!claim || claim[0]) {
			return false;
		}

		claimSettled = true;
		if (claim[1] !== 'OK' || startSeen || haltSeen !== undefined) {
			return false;
		}

		// Never to run: taken off the queue (best effort, the claim alone keeps it from running).
		await bounded(queue.remove(jobId));
		return true;
	};

	const stop = async (reason: 'timeout' | 'cancelled') => {
		stoppedBy = reason;
		if (await sendCancel(reason)) {
			const error =
				reason === 'timeout'
					? `timed out after ${seconds(request.timeoutMs)} before a worker started it`
					: 'cancelled before it started';
			outcome = {...failed(error, {worker: worker.id}), status: reason};
		}
	};

	/** Whether the worker's heartbeat has expired (then the attempt is `worker lost`, unless it ended). */
	const workerGone = async () => {
		const alive = await bounded(
			context.redis.exists(context.keys.worker(worker.id)),
		);
		if (alive !== 0) {
			return false;
		}

		// One last look: its result may be there.
		await readBatch(0);
		if (!end) {
			outcome = failed('worker lost', {noRetry: true, worker: worker.id});
			// A worker only slow to beat (not dead) ends the attempt all the same.
			await sendCancel('worker lost');
		}

		return true;
	};

	// The engine's log may ask to read no more for a while (bounded): the stream waits in Redis.
	const onItem = (item: OutputItem): LinesBackpressure => {
		if ('lines' in item) {
			return request.onLines?.(item.lines, item.stream);
		}

		if ('start' in item) {
			startSeen = true;
		} else if ('message' in item) {
			if (item.message.type === 'halt') {
				haltSeen ??= item.message.reason;
			}

			request.onMessage?.(item.message);
		} else if ('end' in item) {
			end = item.end;
		}

		return undefined;
	};

	const done = () => end !== undefined || outcome !== undefined;
	try {
		while (!done()) {
			const now = performance.now();
			if (!stoppedBy && request.signal?.aborted) {
				// eslint-disable-next-line no-await-in-loop -- a cancel, once
				await stop('cancelled');
			} else if (!stoppedBy && now - started >= request.timeoutMs) {
				// eslint-disable-next-line no-await-in-loop
				await stop('timeout');
			} else if (
				cancelSentAt !== undefined &&
				now - cancelSentAt > request.killGraceMs + answerMarginMs
			) {
				outcome = failed('the worker gave no result after the cancel', {
					noRetry: true,
					worker: worker.id,
				});
				break;
			}

			if (cancelSentAt !== undefined && now - lastPublish >= republishMs) {
				// Until its end is read: a worker may miss one message (it also reads the durable key).
				lastPublish = now;
				void context.redis
					.publish(
						context.keys.cancel,
						JSON.stringify({
							worker: worker.id,
							job: jobId,
							reason: cancelReason,
						}),
					)
					.catch(() => undefined);
			}

			if (now - lastCheck >= checkEveryMs) {
				lastCheck = now;
				// eslint-disable-next-line no-await-in-loop -- one small read
				if (await workerGone()) {
					break;
				}
			}

			if (now - lastAnswer > workerTtlMs) {
				outcome = failed('lost the link to Redis mid-attempt', {
					noRetry: true,
					worker: worker.id,
				});
				// Best effort: should the worker still hear, it ends the attempt (else it fences it).
				// eslint-disable-next-line no-await-in-loop -- once
				await sendCancel('the engine lost its link');
				break;
			}

			// eslint-disable-next-line no-await-in-loop -- reading in order
			await readBatch(checkEveryMs);
		}
	} finally {
		context.given.set(worker.id, (context.given.get(worker.id) ?? 1) - 1);
		if (end === undefined && !claimSettled) {
			// Given up while Redis did not answer: the job may still wait in a queue. Its `cancelled`
			// claim is written once Redis answers again, so that it never starts late.
			void settleLater(context, jobId);
		}

		void context.redis.del(key).catch(() => undefined);
		reader.disconnect();
	}

	async function readBatch(blockMs: number) {
		let reply: Array<[string, Array<[string, string[]]>]> | null; // eslint-disable-line @typescript-eslint/no-restricted-types -- ioredis' type
		try {
			// Bounded beyond the BLOCK: a read that never answers (a half-open link) must not hold a
			// timeout or a stop.
			reply = await deadline(
				blockMs > 0
					? reader.xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', key, lastId)
					: reader.xread('COUNT', 1000, 'STREAMS', key, lastId),
				blockMs + cancelWaitMs,
				undefined,
			);
			lastAnswer = performance.now();
		} catch {
			// The link is down (commands fail at once): wait as a blocking read would have.
			await delay(blockMs);
			return;
		}

		const entries = (reply ?? []).flatMap(([, each]) => each);
		let behind: Promise<void> | undefined;
		for (const [entryId, fields] of entries) {
			lastId = entryId;
			for (const item of batchOf(fields)) {
				behind = onItem(item) ?? behind;
			}
		}

		await behind;
		if (entries.length > 0) {
			// What was read goes: the stream's length is what the engine has not read (the worker's
			// backpressure), so a flooding agent's output waits on the worker, not in Redis.
			void context.redis.xtrim(key, 'MINID', lastId).catch(() => undefined);
		}
	}

	if (outcome) {
		return outcome;
	}

	const result = end!;
	const timedOut = stoppedBy === 'timeout' && result.status === 'cancelled';
	return {
		status: timedOut ? 'timeout' : result.status,
		exitCode: result.exitCode,
		signal: result.signal,
		error: timedOut
			? `timed out after ${seconds(request.timeoutMs)}`
			: result.error,
		haltReason: result.haltReason ?? haltSeen,
		durationMs: result.durationMs,
		malformedLines: result.malformedLines,
		passed: result.passed,
		untrustedLines: result.untrustedLines,
		worker: worker.id,
		...(result.noRetry === true ? {noRetry: true} : {}),
	};
}

/** How long, and how often, an engine that gave a job up tries to claim it `cancelled`. */
const settleForMs = 120_000;
const settleEveryMs = 500;

/** Claims a given-up job `cancelled` (and its durable cancel) once Redis answers; bounded in time. */
async function settleLater(context: RemoteContext, jobId: string) {
	const until = performance.now() + settleForMs;
	// A closed engine stops trying (its connection ends); the timers never hold a process open.
	while (performance.now() < until && context.redis.status !== 'end') {
		// eslint-disable-next-line no-await-in-loop -- one try at a time
		const replies = await bounded(
			context.redis
				.multi()
				.set(context.keys.cancelOf(jobId), 'given up', 'PX', claimTtlMs)
				.set(context.keys.claim(jobId), 'cancelled', 'PX', claimTtlMs, 'NX')
				.exec(),
			{ref: false},
		);
		if (replies && !replies[1]?.[0]) {
			return;
		}

		// eslint-disable-next-line no-await-in-loop
		await delay(settleEveryMs, undefined, {ref: false});
	}
}

/** `promise`, or a rejection once `ms` have passed or `signal` aborts. */
async function deadline<T>(
	promise: Promise<T>,
	ms: number,
	signal: AbortSignal | undefined,
): Promise<T> {
	const gaveUp = new AbortController();
	const stop = AbortSignal.any([gaveUp.signal, ...(signal ? [signal] : [])]);
	try {
		return await Promise.race([
			promise,
			delay(ms, undefined, {signal: stop}).then(() => {
				throw new Error('ETIMEDOUT');
			}),
		]);
	} finally {
		gaveUp.abort();
	}
}

/** What `promise` gives within cancelWaitMs, else undefined (a rejection too). */
async function bounded<T>(
	promise: Promise<T>,
	{ref = true}: {ref?: boolean} = {},
): Promise<T | undefined> {
	return Promise.race([
		promise.catch(() => undefined),
		delay(cancelWaitMs, undefined, {ref}).then(() => undefined),
	]);
}

function seconds(ms: number): string {
	return `${Number((ms / 1000).toFixed(3))}s`;
}

/** The items of one stream entry. */
function batchOf(fields: readonly string[]): readonly OutputItem[] {
	const data = parseJson(fields[fields.indexOf(batchField) + 1]);
	return Array.isArray(data) ? (data as OutputItem[]) : [];
}
