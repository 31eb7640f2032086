import {Buffer} from 'node:buffer';
import {recentLinesCapacity} from '../contract/capacities.js';
import {RingBuffer} from '../util/ring-buffer.js';
import type {Emit} from '../contract/events.js';

/** Recent lines kept per agent for the screen; the rest goes to log files. */

/** A line longer than this is cut for the screen (log files keep it whole). */
export const maxScreenLineLength = 2000;

export type OutputBatcher = {
	readonly push: (
		agent: string,
		lines: readonly string[],
		/** Where they were printed; stderr lines are marked on the screen. @default 'stdout' */
		stream?: 'stdout' | 'stderr',
	) => void;
	/** Emits what is pending now: for one agent, or for all. */
	readonly flush: (agent?: string) => void;
	readonly close: () => void;
};

/**
Collects agents' log lines and emits them as `agent_output` events at most every `intervalMs`,
each batch at most a ring buffer's worth, so a flood of output costs the store a few updates a
second rather than one per line.
*/
export function createOutputBatcher(
	emit: Emit,
	options: {readonly intervalMs?: number; readonly capacity?: number} = {},
): OutputBatcher {
	const intervalMs = options.intervalMs ?? 100;
	const capacity = options.capacity ?? recentLinesCapacity;
	// Each agent's lines, and beside them (in step, no object per line) whether each was stderr.
	const pending = new Map<
		string,
		{lines: RingBuffer<string>; stderr: RingBuffer<boolean>}
	>();
	let timer: NodeJS.Timeout | undefined;

	const flush = (agent?: string) => {
		for (const [name, ring] of pending) {
			if (agent !== undefined && name !== agent) {
				continue;
			}

			const {items, dropped} = ring.lines.drain();
			const streams = ring.stderr.drain().items;
			pending.delete(name);
			if (items.length > 0) {
				const stderr: number[] = [];
				for (const [index, isStderr] of streams.entries()) {
					if (isStderr) {
						stderr.push(index);
					}
				}

				emit({
					type: 'agent_output',
					time: new Date().toISOString(),
					agent: name,
					lines: items,
					dropped,
					...(stderr.length > 0 ? {stderr} : {}),
				});
			}
		}

		if (pending.size === 0 && timer) {
			clearTimeout(timer);
			timer = undefined;
		}
	};

	return {
		push(agent, lines, stream = 'stdout') {
			let ring = pending.get(agent);
			if (!ring) {
				ring = {
					lines: new RingBuffer<string>(capacity),
					stderr: new RingBuffer<boolean>(capacity),
				};
				pending.set(agent, ring);
			}

			const isStderr = stream === 'stderr';
			for (const line of lines) {
				ring.lines.push(
					line.length > maxScreenLineLength ? cutLine(line) : line,
				);
				ring.stderr.push(isStderr);
			}

			if (!timer) {
				timer = setTimeout(() => {
					timer = undefined;
					flush();
				}, intervalMs);
				timer.unref();
			}
		},
		flush,
		close() {
			flush();
			clearTimeout(timer);
			timer = undefined;
		},
	};
}

/** A fresh copy, so the kept piece does not pin the whole (possibly huge) line in memory. */
function cutLine(line: string): string {
	return Buffer.from(`${line.slice(0, maxScreenLineLength - 1)}…`).toString();
}
