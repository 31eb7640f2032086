import os from 'node:os';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import type {Redis} from 'ioredis';
import {
	type EngineLockValue,
	engineLockTtlMs,
	engineRenewMs,
	type FleetServices,
	parseEngineLock,
} from './fleet-keys.js';

/** Renews the lock if it is ours (1), takes it if it is free (2), else 0: another engine has it. */
const renewScript = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Counted lost this long after the last good renewal was sent: before it can have expired. */
const lostAfterMs = engineLockTtlMs - engineRenewMs;

export type QueueLock = {
	/** Whether this engine holds the queue now. */
	readonly held: () => boolean;
	readonly release: () => Promise<void>;
};

/**
Takes the queue's engine lock (one engine per queue, as one per metrics folder): refused, as a
ConfigError (exit 2), while another engine holds it; a lock left by an engine of this host that is
gone is waited out (it expires within engineLockTtlMs). Renewed every engineRenewMs; its expiry is
the engine's heartbeat, by which workers fence the attempts of an engine that is gone.
*/
export async function takeQueueLock(
	redis: Redis,
	{
		key,
		queue,
		lock,
		onLost,
		onHeldAgain,
		services,
	}: {
		readonly key: string;
		readonly queue: string;
		readonly lock: EngineLockValue;
		readonly onLost: (why: string) => void;
		readonly onHeldAgain: () => void;
		readonly services: FleetServices;
	},
): Promise<QueueLock> {
	const {fail, isProcessRunning} = services;
	const value = JSON.stringify(lock);
	// A dead engine's lock expires within its life; one that does not was not left by an engine.
	const giveUpAt = Date.now() + engineLockTtlMs + 2000;
	for (;;) {
		// eslint-disable-next-line no-await-in-loop -- one try, then maybe a wait
		const took = await redis.set(key, value, 'PX', engineLockTtlMs, 'NX');
		if (took === 'OK') {
			break;
		}

		// eslint-disable-next-line no-await-in-loop
		const holder = parseEngineLock(await redis.get(key));
		const goneHere =
			holder?.host === os.hostname() && !isProcessRunning(holder.pid);
		if (holder !== undefined && !goneHere) {
			throw fail(
				`the workers' queue "${queue}" is held by another engine (pid ${holder.pid} on ${holder.host}): one engine per queue, or every order could be placed twice`,
			);
		}

		if (Date.now() > giveUpAt) {
			throw fail(
				`the workers' queue "${queue}" stays locked in Redis (by a pid that is gone, or by something else): refusing to start`,
			);
		}

		// eslint-disable-next-line no-await-in-loop -- a dead engine's lock expires soon
		await delay(200);
	}

	let held = true;
	/**
	When the last renewal that succeeded was sent: the lock lasts engineLockTtlMs from then at the
	least. Counted from the send, not the answer, and checked by the timer itself, so a renewal that
	never answers (a half-open link) cannot keep the lock "held" past its expiry.
	*/
	let lastRenewSentOk = Date.now();
	const lose = (why: string) => {
		if (held) {
			held = false;
			onLost(why);
		}
	};

	// Lost at the deadline itself, not at the renewal tick after it (up to a tick later, when the
	// lock may already have expired and another engine taken it).
	const silent = () => {
		lose(`cannot renew the lock of the workers' queue "${queue}" in Redis`);
	};

	let deadline = setTimeout(silent, lostAfterMs);
	deadline.unref();
	const pushDeadline = () => {
		clearTimeout(deadline);
		deadline = setTimeout(
			silent,
			Math.max(0, lostAfterMs - (Date.now() - lastRenewSentOk)),
		);
		deadline.unref();
	};

	const renew = async () => {
		const sent = Date.now();
		let answer: unknown;
		try {
			answer = await redis.eval(renewScript, 1, key, value, engineLockTtlMs);
		} catch {
			answer = undefined;
		}

		if (answer === 1 || answer === 2) {
			lastRenewSentOk = Math.max(lastRenewSentOk, sent);
			pushDeadline();
			if (!held && Date.now() - lastRenewSentOk < lostAfterMs) {
				held = true;
				onHeldAgain();
			}
		} else if (answer === 0) {
			lose(`another engine took the workers' queue "${queue}"`);
		}
	};

	const timer = setInterval(() => {
		if (Date.now() - lastRenewSentOk > lostAfterMs) {
			silent();
		}

		void renew();
	}, engineRenewMs);
	timer.unref();

	return {
		held: () => held,
		async release() {
			clearInterval(timer);
			clearTimeout(deadline);
			held = false;
			await redis.eval(releaseScript, 1, key, value).catch(() => undefined);
		},
	};
}

export const engineLockValue = (id: string): EngineLockValue => ({
	id,
	host: os.hostname(),
	pid: process.pid,
});
