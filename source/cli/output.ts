import process from 'node:process';
import {createDrainWaiter} from '../util/drain-waiter.js';

/** Unwritten output past which lines are dropped rather than held in memory. */
const maxPendingBytes = 4 * 1024 * 1024;

/**
Line writers for stdout and stderr. A reader that stops (`| head`: EPIPE) or a full disk calls
`onClosed` once instead of crashing; a reader that is only slow gets lines dropped past 4 MB of
backlog, counted and said on stderr, instead of memory growing without bound. `behind` says when
a stream is past 256 KB of backlog, for `run` to read its agent no faster than the reader reads
(for at most 100 ms at a time, and not again before a stream that did not drain has drained).
*/
export function createLineWriters(onClosed: () => void) {
	let closed = false;
	const close = () => {
		if (!closed) {
			closed = true;
			onClosed();
		}
	};

	const writer = (stream: NodeJS.WriteStream) => {
		let dropped = 0;
		stream.on('error', close);
		stream.on('drain', () => {
			if (dropped > 0 && !closed) {
				process.stderr.write(
					`moondev-tui: ${dropped} output lines dropped: the reader fell behind\n`,
				);
				dropped = 0;
			}
		});
		return (line: string) => {
			if (closed) {
				return;
			}

			if (stream.writableLength > maxPendingBytes) {
				dropped++;
				return;
			}

			stream.write(`${line}\n`);
		};
	};

	const waiter = (stream: NodeJS.WriteStream) =>
		createDrainWaiter(stream, {
			pauseAtBytes: 256 * 1024,
			dropAtBytes: maxPendingBytes,
			maxPauseMs: 100,
		});
	const behind = {out: waiter(process.stdout), err: waiter(process.stderr)};
	return {
		out: writer(process.stdout),
		err: writer(process.stderr),
		// Not async: nothing to wait on must stay undefined.
		// eslint-disable-next-line @typescript-eslint/promise-function-async
		behind: (which: 'out' | 'err') => (closed ? undefined : behind[which]()),
	};
}
