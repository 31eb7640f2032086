import type {Redis} from 'ioredis';
import {
	batchField,
	type OutputItem,
	outputBacklogBytes,
	outputBatchBytes,
	outputFlushMs,
	outputStreamEntries,
} from './fleet-keys.js';

/** The stream lasts this long if the engine never reads it (an engine gone). */
const streamTtlSeconds = 3600;

export type OutputSender = {
	/** Queues an item; sent within outputFlushMs, in order. */
	readonly push: (item: OutputItem) => void;
	/** Sends what is queued and the last item; resolves once Redis has it all (or failed). */
	readonly end: (last: OutputItem) => Promise<void>;
};

/**
Sends one attempt's output to its stream (XADD), in order, in batches of at most
outputBatchBytes at least every outputFlushMs: one Redis round trip per batch, not per line. A
Redis stream keeps the order and lets the engine read at its own pace; memory stays bounded on
both sides: while the engine has more than outputStreamEntries unread in the stream, nothing more
is sent; past outputBacklogBytes unsent here, lines are dropped and counted, and the count is sent
as a line of its own. Protocol messages and the end are never dropped.
*/
export function createOutputSender(redis: Redis, key: string): OutputSender {
	let batch: OutputItem[] = [];
	let batchBytes = 0;
	/** Sent but not yet acknowledged by Redis. */
	let inFlightBytes = 0;
	let dropped = 0;
	let timer: NodeJS.Timeout | undefined;
	let last: Promise<unknown> = Promise.resolve();
	/** Entries in the stream the engine has not read yet (it trims what it read), as last seen. */
	let unread = 0;
	/** Entries sent and not yet answered: counted as unread until Redis says the length. */
	let inFlightEntries = 0;

	/** Reads the stream's length again, then sends what waits if the engine has caught up. */
	const recheck = async () => {
		const length = await redis.xlen(key).catch(() => undefined);
		unread = length === undefined ? unread : length + inFlightEntries;
		timer = undefined;
		flush();
	};

	const flush = (force = false) => {
		if (batch.length === 0) {
			return;
		}

		if (!force && unread >= outputStreamEntries) {
			// The engine reads more slowly than the agent prints: the output waits here (bounded by
			// outputBacklogBytes, past which lines are dropped and counted), not in Redis.
			timer ??= setTimeout(() => {
				void recheck();
			}, outputFlushMs * 4);
			return;
		}

		clearTimeout(timer);
		timer = undefined;

		const data = JSON.stringify(batch);
		const bytes = batchBytes;
		batch = [];
		batchBytes = 0;
		inFlightBytes += bytes;
		inFlightEntries++;
		unread++;
		// One connection pipelines commands in the order they are sent: the stream keeps that order.
		last = redis
			.multi()
			.xadd(key, '*', batchField, data)
			.expire(key, streamTtlSeconds)
			.xlen(key)
			.exec()
			.then(replies => {
				const length = replies?.[2]?.[1];
				if (typeof length === 'number') {
					unread = length + inFlightEntries - 1;
				}
			})
			.catch(() => undefined)
			.finally(() => {
				inFlightBytes -= bytes;
				inFlightEntries--;
			});
	};

	const sizeOf = (item: OutputItem) =>
		'lines' in item
			? item.lines.reduce((sum, line) => sum + line.length + 8, 16)
			: 256;

	/** Says how many lines were dropped, where they would have been. */
	const noteDropped = () => {
		if (dropped > 0) {
			batch.push({
				lines: [
					`[moondev worker] ${dropped} line(s) dropped: Redis took output more slowly than the agent printed it`,
				],
				stream: 'stderr',
			});
			dropped = 0;
		}
	};

	return {
		push(item) {
			const bytes = sizeOf(item);
			if ('lines' in item) {
				if (inFlightBytes + batchBytes > outputBacklogBytes) {
					dropped += item.lines.length;
					return;
				}

				noteDropped();
			}

			batch.push(item);
			batchBytes += bytes;
			if (batchBytes >= outputBatchBytes) {
				flush();
			} else {
				timer ??= setTimeout(flush, outputFlushMs);
			}
		},
		async end(item) {
			noteDropped();
			batch.push(item);
			batchBytes += sizeOf(item);
			// The end always goes: the engine waits for it.
			flush(true);
			await last;
		},
	};
}
