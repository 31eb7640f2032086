import {Queue} from 'bullmq';
import type {Redis} from 'ioredis';
import {bullPrefix, failedResult, type FleetKeys} from './fleet-keys.js';
import {createOutputSender} from './output-sender.js';

/**
On a clean stop, once the worker takes no new job: the attempts sent to it but never started go back
to the engine as failed ("stopped before it started"; nothing ran, so its retries apply), and its
queue is removed from Redis. Only a job actually taken off the queue is handed back.
*/
export async function handBackWaiting({
	bullConnection,
	redis,
	keys,
	id,
}: {
	readonly bullConnection: Redis;
	readonly redis: Redis;
	readonly keys: FleetKeys;
	readonly id: string;
}): Promise<void> {
	const own = new Queue(keys.workerQueue(id), {
		connection: bullConnection,
		prefix: bullPrefix,
	});
	try {
		for (const job of await own.getJobs(['waiting', 'prioritized'])) {
			// eslint-disable-next-line no-await-in-loop -- a few at most
			const removed = await job.remove().then(
				() => true,
				() => false,
			);
			if (removed) {
				// eslint-disable-next-line no-await-in-loop
				await createOutputSender(redis, keys.output(job.id ?? '')).end({
					end: failedResult(`worker ${id} stopped before it started`),
				});
			}
		}

		await own.obliterate({force: true}).catch(() => undefined);
	} finally {
		await own.close();
	}
}
