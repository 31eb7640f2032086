import {randomBytes} from 'node:crypto';
import {setTimeout as delay} from 'node:timers/promises';
import {Queue} from 'bullmq';
import type {Redis} from 'ioredis';
import type {ResolvedWorkers} from '../config/resolved-config.js';
import type {RunAgent} from '../runner/run-agent.js';
import {connectRedis, describeRedisError} from './connect-redis.js';
import {
	bullPrefix,
	type FleetServices,
	fleetKeys,
	parseWorkerBeat,
	type WorkerBeat,
} from './fleet-keys.js';
import {engineLockValue, type QueueLock, takeQueueLock} from './queue-lock.js';
import {runRemoteAttempt} from './remote-attempt.js';

/** A worker as `status` and the screen show it. */
export type WorkerView = {
	readonly id: string;
	readonly host: string;
	readonly tags: readonly string[];
	readonly concurrency: number;
	readonly running: number;
	readonly stopping: boolean;
};

export type Fleet = {
	/** Runs an attempt of an agent with `runOn` on a worker; the others go to `local`. */
	readonly runAgent: (local: RunAgent) => RunAgent;
	readonly close: () => Promise<void>;
};

export type FleetOptions = {
	readonly workers: ResolvedWorkers;
	/** The queue's lock was lost (or is held again): no new cycle starts meanwhile. */
	readonly onLockLost: (why: string) => void;
	readonly onLockHeldAgain: () => void;
	/** Something to say at start (a predecessor's attempts waited for). */
	readonly note: (message: string) => void;
	/** The live workers, each time they change. */
	readonly onWorkers: (workers: readonly WorkerView[]) => void;
	/** How long to wait at start for a previous engine's attempts to end before refusing. */
	readonly waitForPredecessorMs: number;
	readonly services: FleetServices;
};

/** How often the engine looks at its workers, for `status` and the screen. */
const watchEveryMs = 1000;

/**
Opens the engine's side of the workers (contract §10): connects to Redis (a clear error, exit 2,
when it cannot), takes the queue's lock (refused while another engine holds it), waits until the
attempts a previous engine left running on workers have ended, and watches the workers.
*/
export async function openFleet(options: FleetOptions): Promise<Fleet> {
	const {queue, redisUrl} = options.workers;
	const keys = fleetKeys(queue);
	const {fail} = options.services;
	const redis = await connectRedis(redisUrl, {fail});
	const bullConnection = await connectRedis(redisUrl, {fail, forBullmq: true});
	const engineId = `e${randomBytes(6).toString('hex')}`;
	let lock: QueueLock;
	/** False from a loss until, the lock held again, no other engine's attempt runs on a worker. */
	let settled = true;
	let onHeldAgain: () => void = () => undefined;
	try {
		lock = await takeQueueLock(redis, {
			key: keys.engine,
			queue,
			lock: engineLockValue(engineId),
			onLost(why) {
				settled = false;
				options.onLockLost(why);
			},
			onHeldAgain() {
				onHeldAgain();
			},
			services: options.services,
		});
	} catch (error) {
		redis.disconnect();
		bullConnection.disconnect();
		throw error;
	}

	const liveWorkers = async () => readLiveWorkers(redis, keys);
	/** Before the fleet is returned: undoes the lock and the connections. */
	const close = async () => {
		await lock.release();
		redis.disconnect();
		bullConnection.disconnect();
	};

	// A previous engine's attempts end before ours start: its workers fence them once it is gone.
	const giveUpAt = Date.now() + options.waitForPredecessorMs;
	for (let noted = false; ;) {
		let live: WorkerBeat[];
		try {
			// eslint-disable-next-line no-await-in-loop -- polling until they end
			live = await liveWorkers();
		} catch (error) {
			// eslint-disable-next-line no-await-in-loop -- once, on the way out
			await close();
			throw fail(`cannot reach Redis (${describeRedisError(error)})`);
		}

		const foreign = live.flatMap(worker =>
			worker.running.filter(attempt => attempt.engine !== engineId),
		);
		if (foreign.length === 0) {
			break;
		}

		// Read from Redis: only plain words are quoted.
		const names = foreign.map(attempt => plain(attempt.agent)).join(', ');
		if (Date.now() > giveUpAt) {
			const where = live
				.filter(worker =>
					worker.running.some(attempt => attempt.engine !== engineId),
				)
				.map(worker => plain(worker.id));
			// eslint-disable-next-line no-await-in-loop -- once, on the way out
			await close();
			// Fail closed: with them running, ours could place the same orders again.
			throw fail(
				`${names} of a previous engine still run on the workers ${where.join(', ')}: refusing to start until they end`,
			);
		}

		if (!noted) {
			noted = true;
			options.note(
				`waited for ${names} of a previous engine to end on the workers`,
			);
		}

		// eslint-disable-next-line no-await-in-loop
		await delay(200);
	}

	/**
	The lock taken again after a loss (it had expired): another engine may have held the queue
	meanwhile and its attempts may still run; ours wait until they have ended, as at the start.
	*/
	let settling = false;
	const settle = async () => {
		if (settling) {
			return;
		}

		settling = true;
		try {
			for (;;) {
				// Lost again (or closed): the next onHeldAgain starts over.
				if (!lock.held()) {
					return;
				}

				// eslint-disable-next-line no-await-in-loop -- polling until they end
				const live = await liveWorkers().catch(() => undefined);
				if (
					live?.every(worker =>
						worker.running.every(attempt => attempt.engine === engineId),
					)
				) {
					break;
				}

				// eslint-disable-next-line no-await-in-loop
				await delay(200, undefined, {ref: false});
			}

			settled = true;
			options.onLockHeldAgain();
		} finally {
			settling = false;
		}
	};

	onHeldAgain = () => {
		void settle();
	};

	// Held again while the start still waited for its predecessor: settled now.
	if (!settled && lock.held()) {
		void settle();
	}

	const queues = new Map<string, Queue>();
	const queueOf = (worker: string) => {
		let found = queues.get(worker);
		if (!found) {
			found = new Queue(keys.workerQueue(worker), {
				connection: bullConnection,
				prefix: bullPrefix,
			});
			found.on('error', () => undefined);
			queues.set(worker, found);
		}

		return found;
	};

	let jobs = 0;
	const given = new Map<string, number>();
	const context = {
		engineId,
		keys,
		redis,
		liveWorkers,
		queueOf,
		blocked: () =>
			lock.held()
				? settled
					? undefined
					: "another engine's attempts still run on the workers"
				: "the engine does not hold the workers' queue",
		given,
		nextJobId: () => `${engineId}-${++jobs}`,
	};

	let shown = '';
	const watch = async () => {
		const workers = await liveWorkers().catch(() => undefined);
		if (!workers) {
			return;
		}

		const view = workers.map((worker): WorkerView => ({
			id: worker.id,
			host: worker.host,
			tags: worker.tags,
			concurrency: worker.concurrency,
			running: worker.running.length,
			stopping: worker.stopping,
		}));
		const text = JSON.stringify(view);
		if (text !== shown) {
			shown = text;
			options.onWorkers(view);
		}

		// Workers gone (each start of a worker is a new id): their queues are let go.
		const live = new Set(workers.map(worker => worker.id));
		for (const [id, queue] of queues) {
			if (!live.has(id) && (given.get(id) ?? 0) === 0) {
				queues.delete(id);
				given.delete(id);
				void queue.close().catch(() => undefined);
			}
		}
	};

	await watch();
	const timer = setInterval(() => {
		void watch();
	}, watchEveryMs);
	timer.unref();

	return {
		runAgent: local => async request =>
			request.remote
				? runRemoteAttempt(context, request, request.remote)
				: local(request),
		async close() {
			clearInterval(timer);
			await Promise.all(
				[...queues.values()].map(async each =>
					each.close().catch(() => undefined),
				),
			);
			await lock.release();
			bullConnection.disconnect();
			redis.disconnect();
		},
	};
}

/** Text read from Redis, reduced to plain words for a message. */
function plain(text: string): string {
	return String(text)
		.replaceAll(/[^\w.\-]/gv, '?')
		.slice(0, 100);
}

/** The workers whose heartbeat has not expired; the ids of those gone are forgotten. */
async function readLiveWorkers(
	redis: Redis,
	keys: ReturnType<typeof fleetKeys>,
): Promise<WorkerBeat[]> {
	const ids = await redis.smembers(keys.workers);
	if (ids.length === 0) {
		return [];
	}

	const values = await redis.mget(ids.map(id => keys.worker(id)));
	const live: WorkerBeat[] = [];
	const gone: string[] = [];
	for (const [index, id] of ids.entries()) {
		const beat = parseWorkerBeat(values[index] ?? null);
		if (beat) {
			live.push(beat);
		} else {
			gone.push(id);
		}
	}

	if (gone.length > 0) {
		await redis.srem(keys.workers, ...gone);
	}

	return live.toSorted((a, b) => a.id.localeCompare(b.id));
}
