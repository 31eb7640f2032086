import os from 'node:os';
import process from 'node:process';
import type {Redis} from 'ioredis';
import {
	type EngineLockValue,
	fenceSilenceMs,
	type FleetKeys,
	parseEngineLock,
	type RunningAttempt,
	type WorkerBeat,
	workerBeatMs,
	workerTtlMs,
} from './fleet-keys.js';

/** An attempt a worker runs, and how to end it. */
export type RunningEntry = {
	readonly attempt: RunningAttempt;
	readonly controller: AbortController;
	/** Aborted to SIGKILL the attempt's group at once (fenced off Redis: no grace). */
	readonly killNow: AbortController;
};

export type WorkerHeartbeat = {
	/** Writes the heartbeat now (after the one being written, if one is), with what is then true. */
	readonly beat: () => Promise<void>;
	/** The engine that holds the queue, as last read. */
	readonly engineLock: () => EngineLockValue | undefined;
	/** Reads the engine's lock afresh (undefined when Redis does not answer). */
	readonly readEngineLock: () => Promise<EngineLockValue | undefined>;
	readonly stop: () => void;
};

/** How often the worker checks that Redis and the engine still answer (fencing). */
const fenceCheckMs = 250;

/**
A worker's heartbeat and its fencing: every workerBeatMs it writes who it is and what it runs
(expiring after workerTtlMs: the engine's "worker lost") and reads the engine's lock; every
fenceCheckMs it kills (aborts, so the runner ends the group with its grace) the attempts whose
engine no longer holds the queue, or all of them once Redis has been silent for fenceSilenceMs,
and those the engine cancelled (their durable cancel key).
*/
export async function startWorkerHeartbeat({
	redis,
	keys,
	who,
	running,
	isStopping,
}: {
	readonly redis: Redis;
	readonly keys: FleetKeys;
	readonly who: Pick<WorkerBeat, 'id' | 'tags' | 'concurrency'>;
	readonly running: ReadonlyMap<string, RunningEntry>;
	readonly isStopping: () => boolean;
}): Promise<WorkerHeartbeat> {
	let lastAnswer = Date.now();
	let engineLock: EngineLockValue | undefined;

	const writeBeat = async () => {
		const value: WorkerBeat = {
			...who,
			host: os.hostname(),
			pid: process.pid,
			stopping: isStopping(),
			running: [...running.values()].map(entry => entry.attempt),
		};
		try {
			const replies = await redis
				.multi()
				.set(keys.worker(who.id), JSON.stringify(value), 'PX', workerTtlMs)
				.sadd(keys.workers, who.id)
				.get(keys.engine)
				.exec();
			engineLock = parseEngineLock(replies?.[2]?.[1]);
			lastAnswer = Date.now();
		} catch {
			// Counted as silence: fence() decides.
		}
	};

	// One write at a time; a beat asked for during one is written after it, with what is then true.
	let inFlight: Promise<void> | undefined;
	let next: Promise<void> | undefined;
	const beat = async (): Promise<void> => {
		if (!inFlight) {
			inFlight = writeBeat().finally(() => {
				inFlight = undefined;
			});
			return inFlight;
		}

		next ??= inFlight.then(async () => {
			next = undefined;
			return beat();
		});
		return next;
	};

	/** Kills the attempts whose engine cannot be heard, or no longer holds the queue. */
	const fence = () => {
		const silent = Date.now() - lastAnswer > fenceSilenceMs;
		for (const {attempt, controller, killNow} of running.values()) {
			if (silent && !killNow.signal.aborted) {
				// No grace: the heartbeat expires at workerTtlMs, and a new engine waits only for the
				// attempts of live workers; a grace could outlast it, beside the new engine's agents.
				killNow.abort();
			}

			if (controller.signal.aborted) {
				continue;
			}

			if (silent) {
				controller.abort(
					`fenced: Redis has not answered for ${fenceSilenceMs / 1000}s`,
				);
			} else if (engineLock?.id !== attempt.engine) {
				controller.abort(
					'fenced: the engine that sent it no longer holds the queue',
				);
			}
		}
	};

	/**
	Cancels the attempts whose durable cancel key the engine wrote: a cancel sent on the channel is
	lost when the worker's subscription drops, this one is not.
	*/
	let checking = false;
	const readCancels = async () => {
		const live = [...running.values()].filter(
			entry => !entry.controller.signal.aborted,
		);
		if (checking || live.length === 0) {
			return;
		}

		checking = true;
		try {
			const reasons = await redis
				.mget(live.map(entry => keys.cancelOf(entry.attempt.job)))
				.catch(() => []);
			for (const [index, reason] of reasons.entries()) {
				if (typeof reason === 'string') {
					live[index]?.controller.abort(reason);
				}
			}
		} finally {
			checking = false;
		}
	};

	await beat();
	let lastBeat = Date.now();
	const timer = setInterval(() => {
		if (Date.now() - lastBeat >= workerBeatMs) {
			lastBeat = Date.now();
			void beat();
		}

		fence();
		void readCancels();
	}, fenceCheckMs);

	return {
		beat,
		engineLock: () => engineLock,
		async readEngineLock() {
			try {
				engineLock = parseEngineLock(await redis.get(keys.engine));
				return engineLock;
			} catch {
				return undefined;
			}
		},
		stop() {
			clearInterval(timer);
		},
	};
}
