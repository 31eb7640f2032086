/*
Preloaded into the engine by bench/soak.mjs (`node --expose-gc --import bench/soak-probe.mjs …`):
every SOAK_PROBE_INTERVAL_MS (default 1000) it runs a full GC, then appends one JSON line with the
live heap, RSS, external and array-buffer memory and the open file descriptors to SOAK_PROBE_FILE.
Timer-driven, so the engine's code is measured untouched; the timer is unref'd and never keeps
the process alive. SOAK_PROBE_SNAPSHOTS=3,60 also writes heap snapshots at those samples (by
index) beside the file, for comparing in Chrome DevTools when the soak finds growth.
*/
import {appendFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import v8 from 'node:v8';

const file = process.env.SOAK_PROBE_FILE;
const intervalMs = Number(process.env.SOAK_PROBE_INTERVAL_MS) || 1000;
const snapshots = new Set(
	(process.env.SOAK_PROBE_SNAPSHOTS ?? '')
		.split(',')
		.filter(Boolean)
		.map(Number),
);

if (file) {
	if (typeof globalThis.gc !== 'function') {
		throw new TypeError('soak-probe needs node --expose-gc');
	}

	let index = 0;
	const sample = () => {
		globalThis.gc();
		const memory = process.memoryUsage();
		const line = {
			index,
			time: Date.now(),
			heapUsed: memory.heapUsed,
			heapTotal: memory.heapTotal,
			rss: memory.rss,
			external: memory.external,
			arrayBuffers: memory.arrayBuffers,
			fds: readdirSync('/proc/self/fd').length,
		};
		appendFileSync(file, `${JSON.stringify(line)}\n`);
		if (snapshots.has(index)) {
			v8.writeHeapSnapshot(
				path.join(path.dirname(file), `soak-${index}.heapsnapshot`),
			);
		}

		index++;
	};

	setInterval(sample, intervalMs).unref();
}
