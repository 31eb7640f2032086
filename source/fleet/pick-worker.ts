import type {WorkerBeat} from './fleet-keys.js';

/** The live worker with the tag that has the most room (ties: the first). */
export function pickWorker(
	workers: readonly WorkerBeat[],
	tag: string,
	given: ReadonlyMap<string, number>,
): WorkerBeat | undefined {
	let best: {worker: WorkerBeat; load: number} | undefined;
	for (const worker of workers) {
		if (worker.stopping || !worker.tags.includes(tag)) {
			continue;
		}

		const load =
			Math.max(worker.running.length, given.get(worker.id) ?? 0) /
			Math.max(1, worker.concurrency);
		if (!best || load < best.load) {
			best = {worker, load};
		}
	}

	return best?.worker;
}
