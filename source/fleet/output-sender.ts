import type {Redis} from 'ioredis';
import {
	batchField,
	type OutputItem,
	outputBacklogBytes,
	outputBatchBytes,
	outputFlushMs,
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
both sides: past outputBacklogBytes unsent here, lines are dropped and counted, and the count is
sent as a line of its own.
*/
export function createOutputSender(redis: Redis, key: string): OutputSender {
	let batch: OutputItem[] = [];
	let batchBytes = 0;
	/** Sent but not yet acknowledged by Redis. */
	let inFlightBytes = 0;
	let dropped = 0;
	let timer: NodeJS.Timeout | undefined;
	let last: Promise<unknown> = Promise.resolve();

	const flush = () => {
		clearTimeout(timer);
		timer = undefined;
		if (batch.length === 0) {
			return;
		}

		const data = JSON.stringify(batch);
		const bytes = batchBytes;
		batch = [];
		batchBytes = 0;
		inFlightBytes += bytes;
		// One connection pipelines commands in the order they are sent: the stream keeps that order.
		last = redis
			.multi()
			.xadd(key, '*', batchField, data)
			.expire(key, streamTtlSeconds)
			.exec()
			.catch(() => undefined)
			.finally(() => {
				inFlightBytes -= bytes;
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
			flush();
			await last;
		},
	};
}
