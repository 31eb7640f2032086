import {Buffer} from 'node:buffer';
import {
	createWriteStream,
	fstatSync,
	openSync,
	mkdirSync,
	renameSync,
	rmSync,
	type WriteStream,
} from 'node:fs';
import path from 'node:path';
import type {OutputStream} from '../runner/run-agent.js';
import {createDrainWaiter} from '../util/drain-waiter.js';
import {escapeLogText} from '../util/escape-text.js';

export type AgentLogsOptions = {
	/** `<metricsExportDir>/logs`. */
	readonly folder: string;
	/** A log past this size is rotated to `.1` (and `.1` to `.2`). @default 10 MiB */
	readonly maxBytes?: number;
	/** Unwritten bytes one log may hold before lines are dropped (a disk that cannot keep up). @default 8 MiB */
	readonly maxPendingBytes?: number;
	/**
	Unwritten bytes past which the agent's output is read no more until the log has caught up (its
	'drain'), for at most `maxPauseMs`; a log that does not catch up in that time is not waited on
	again until it does, and drops lines past `maxPendingBytes` as before. @default 256 KiB
	*/
	readonly pauseAtBytes?: number;
	/** @default 100 */
	readonly maxPauseMs?: number;
	/** Called once per agent when its log cannot be written. */
	readonly onError?: (agent: string, error: Error) => void;
};

export type AgentLogs = {
	/** The header line of an attempt, written with its first line of output (none without output). */
	readonly startAttempt: (
		agent: string,
		header: {cycle: number; attempt: number; time: string; worker?: string},
	) => void;
	/** The agent is done for this cycle: its log is closed, so idle agents hold no file open. */
	readonly finish: (agent: string) => void;
	/** Log lines as they come, stdout and stderr in the order they were read. */
	readonly write: (
		agent: string,
		lines: readonly string[],
		stream: OutputStream,
	) => void;
	/** A promise when the agent's log is behind, for the reader to wait on before it reads more. */
	readonly behind: (agent: string) => Promise<void> | undefined;
	/** Flushes and closes every log. */
	readonly close: () => Promise<void>;
	/** The path of an agent's log. */
	readonly pathOf: (agent: string) => string;
};

const keptRotations = 2;

type OpenLog = {
	/** Undefined once the log failed: nothing more is written to it. */
	stream: WriteStream | undefined;
	bytes: number;
	dropped: number;
	failed: boolean;
	/** A promise while the log is behind, for the reader of the agent's output to wait on. */
	behind?: () => Promise<void> | undefined;
};

/**
Each agent's output, appended to `logs/<agent>.log` under a header per attempt, colours stripped
(a log is read with less and grep) and every other control character but the tab escaped (`\x1b`,
`\r`, `\u009b`), so that a `cat` or `tail -f` of a log moves no cursor and sets no title. Writes
are buffered streams: a chatty agent is held back only while its log catches up (`behind`, at most
`maxPauseMs` at a time); if the disk falls behind by more than `maxPendingBytes`, lines are dropped
and the log says how many, rather than memory growing.
*/
export function createAgentLogs(options: AgentLogsOptions): AgentLogs {
	const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
	const maxPendingBytes = options.maxPendingBytes ?? 8 * 1024 * 1024;
	const pauseAtBytes = options.pauseAtBytes ?? 256 * 1024;
	const maxPauseMs = options.maxPauseMs ?? 100;
	const logs = new Map<string, OpenLog>();
	const pendingHeaders = new Map<string, string>();
	// Streams still flushing; each leaves the set once closed, so it stays small however long we run.
	const closing = new Set<Promise<void>>();
	const closeLater = (stream: WriteStream) => {
		const done = endStream(stream).finally(() => {
			closing.delete(done);
		});
		closing.add(done);
	};

	const pathOf = (agent: string) => path.join(options.folder, `${agent}.log`);

	const fail = (agent: string, log: OpenLog, error: Error) => {
		if (!log.failed) {
			log.failed = true;
			options.onError?.(agent, error);
		}
	};

	const open = (agent: string): OpenLog => {
		const file = pathOf(agent);
		let stream: WriteStream;
		let bytes = 0;
		try {
			mkdirSync(options.folder, {recursive: true});
			// Opened now, not on the next tick, so that a rotation can rename it right away.
			const fd = openSync(file, 'a');
			bytes = fstatSync(fd).size;
			stream = createWriteStream('', {fd});
		} catch (error) {
			const log: OpenLog = {
				stream: undefined,
				bytes,
				dropped: 0,
				failed: false,
			};
			fail(agent, log, error as Error);
			logs.set(agent, log);
			return log;
		}

		const log: OpenLog = {
			stream,
			bytes,
			dropped: 0,
			failed: false,
			behind: createDrainWaiter(stream, {
				pauseAtBytes,
				dropAtBytes: maxPendingBytes,
				maxPauseMs,
			}),
		};
		stream.on('error', error => {
			fail(agent, log, error);
		});
		logs.set(agent, log);
		return log;
	};

	const rotate = (agent: string, log: OpenLog): OpenLog => {
		const file = pathOf(agent);
		// The old stream finishes writing into the renamed file: renaming does not move an open fd.
		if (log.stream) {
			closeLater(log.stream);
		}

		// File.1 → file.2 (the oldest goes), then file → file.1; a missing one is skipped.
		try {
			rmSync(`${file}.${keptRotations}`, {force: true});
		} catch {
			// The rename below replaces it anyway where it can.
		}

		for (let index = keptRotations; index >= 1; index--) {
			const from = index === 1 ? file : `${file}.${index - 1}`;
			try {
				renameSync(from, `${file}.${index}`);
			} catch {
				// Not there yet.
			}
		}

		logs.delete(agent);
		return open(agent);
	};

	const append = (agent: string, text: string) => {
		let log = logs.get(agent) ?? open(agent);
		if (log.bytes >= maxBytes && !log.failed) {
			log = rotate(agent, log);
		}

		const {stream} = log;
		if (!stream || log.failed) {
			return;
		}

		if (stream.writableLength > maxPendingBytes) {
			log.dropped += countLines(text);
			return;
		}

		if (log.dropped > 0) {
			const note = `[moondev-tui: ${log.dropped} lines dropped: the disk fell behind]\n`;
			log.dropped = 0;
			stream.write(note);
			log.bytes += note.length;
		}

		stream.write(text);
		log.bytes += Buffer.byteLength(text);
	};

	/*
	Without it a flood outran the writes (libuv's threadpool, on cores the agents keep busy) and the
	pending bytes, up to maxPendingBytes per log, were most of the engine's memory. A disk that has
	stopped is waited on once, for maxPauseMs: then lines are dropped as they always were, and the
	agent is never held up by it.
	*/
	// eslint-disable-next-line @typescript-eslint/promise-function-async -- undefined must stay undefined
	const backpressure = (log: OpenLog | undefined) =>
		log?.stream && !log.failed ? log.behind?.() : undefined;

	return {
		pathOf,
		startAttempt(agent, {cycle, attempt, time, worker}) {
			const on = worker === undefined ? '' : `, on worker ${worker}`;
			pendingHeaders.set(
				agent,
				`──── cycle ${cycle}, attempt ${attempt}, ${time}${on} ────\n`,
			);
		},
		finish(agent) {
			pendingHeaders.delete(agent);
			const log = logs.get(agent);
			if (log?.stream) {
				closeLater(log.stream);
			}

			logs.delete(agent);
		},
		write(agent, lines, stream) {
			const header = pendingHeaders.get(agent);
			if (header !== undefined) {
				pendingHeaders.delete(agent);
				append(agent, header);
			}

			// One regex test for the whole chunk; only text with a control character is rewritten.
			const text = escapeLogText(`${lines.join('\n')}\n`);

			append(
				agent,
				stream === 'stderr' ? prefixLines(text, '[stderr] ') : text,
			);
		},
		// Not async: undefined (read on) must stay undefined, not a promise to wait on.
		// eslint-disable-next-line @typescript-eslint/promise-function-async
		behind: agent => backpressure(logs.get(agent)),
		async close() {
			for (const log of logs.values()) {
				if (log.stream) {
					closeLater(log.stream);
				}
			}

			logs.clear();
			await Promise.all(closing);
		},
	};
}

async function endStream(stream: WriteStream): Promise<void> {
	return new Promise(resolve => {
		if (stream.closed || stream.destroyed) {
			resolve();
			return;
		}

		stream.end(() => {
			resolve();
		});
		stream.once('error', () => {
			resolve();
		});
	});
}

function countLines(text: string): number {
	let count = 0;
	for (
		let index = text.indexOf('\n');
		index !== -1;
		index = text.indexOf('\n', index + 1)
	) {
		count++;
	}

	return count;
}

function prefixLines(text: string, prefix: string): string {
	return prefix + text.slice(0, -1).replaceAll('\n', `\n${prefix}`) + '\n';
}
