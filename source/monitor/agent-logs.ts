import {Buffer} from 'node:buffer';
import {
	createWriteStream,
	mkdirSync,
	renameSync,
	rmSync,
	statSync,
	type WriteStream,
} from 'node:fs';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import type {OutputStream} from '../runner/run-agent.js';

export type AgentLogsOptions = {
	/** `<metricsExportDir>/logs`. */
	readonly folder: string;
	/** A log past this size is rotated to `.1` (and `.1` to `.2`). @default 10 MiB */
	readonly maxBytes?: number;
	/** Unwritten bytes one log may hold before lines are dropped (a disk that cannot keep up). @default 8 MiB */
	readonly maxPendingBytes?: number;
	/** Called once per agent when its log cannot be written. */
	readonly onError?: (agent: string, error: Error) => void;
};

export type AgentLogs = {
	/** The header line of an attempt. */
	readonly startAttempt: (
		agent: string,
		header: {cycle: number; attempt: number; time: string},
	) => void;
	/** Log lines as they come, stdout and stderr in the order they were read. */
	readonly write: (
		agent: string,
		lines: readonly string[],
		stream: OutputStream,
	) => void;
	/** Flushes and closes every log. */
	readonly close: () => Promise<void>;
	/** The path of an agent's log. */
	readonly pathOf: (agent: string) => string;
};

const keptRotations = 2;

type OpenLog = {
	stream: WriteStream;
	bytes: number;
	dropped: number;
	failed: boolean;
};

/**
Each agent's output, appended to `logs/<agent>.log` under a header per attempt, colours stripped
(a log is read with less and grep). Writes are buffered streams, so a chatty agent is never
waited on; if the disk falls behind by more than `maxPendingBytes`, lines are dropped and the
log says how many, rather than memory growing.
*/
export function createAgentLogs(options: AgentLogsOptions): AgentLogs {
	const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
	const maxPendingBytes = options.maxPendingBytes ?? 8 * 1024 * 1024;
	const logs = new Map<string, OpenLog>();
	const closing: Array<Promise<void>> = [];
	const pathOf = (agent: string) => path.join(options.folder, `${agent}.log`);

	const fail = (agent: string, log: OpenLog, error: Error) => {
		if (!log.failed) {
			log.failed = true;
			options.onError?.(agent, error);
		}
	};

	const open = (agent: string): OpenLog => {
		const file = pathOf(agent);
		let bytes = 0;
		try {
			mkdirSync(options.folder, {recursive: true});
			bytes = statSync(file, {throwIfNoEntry: false})?.size ?? 0;
		} catch {
			// The stream's own error reports it.
		}

		const log: OpenLog = {
			stream: createWriteStream(file, {flags: 'a'}),
			bytes,
			dropped: 0,
			failed: false,
		};
		log.stream.on('error', error => {
			fail(agent, log, error);
		});
		logs.set(agent, log);
		return log;
	};

	const rotate = (agent: string, log: OpenLog): OpenLog => {
		const file = pathOf(agent);
		// The old stream finishes writing into the renamed file: renaming does not move an open fd.
		closing.push(endStream(log.stream));
		try {
			for (let index = keptRotations; index >= 1; index--) {
				const from = index === 1 ? file : `${file}.${index - 1}`;
				if (index === keptRotations) {
					rmSync(`${file}.${index}`, {force: true});
				}

				renameSync(from, `${file}.${index}`);
			}
		} catch {
			// A missing older rotation is fine; the new log starts anyway.
		}

		logs.delete(agent);
		return open(agent);
	};

	const append = (agent: string, text: string) => {
		let log = logs.get(agent) ?? open(agent);
		if (log.failed) {
			return;
		}

		if (log.bytes >= maxBytes) {
			log = rotate(agent, log);
		}

		if (log.stream.writableLength > maxPendingBytes) {
			log.dropped += countLines(text);
			return;
		}

		if (log.dropped > 0) {
			const note = `[moondev-tui: ${log.dropped} lines dropped: the disk fell behind]\n`;
			log.dropped = 0;
			log.stream.write(note);
			log.bytes += note.length;
		}

		log.stream.write(text);
		log.bytes += Buffer.byteLength(text);
	};

	return {
		pathOf,
		startAttempt(agent, {cycle, attempt, time}) {
			append(agent, `──── cycle ${cycle}, attempt ${attempt}, ${time} ────\n`);
		},
		write(agent, lines, stream) {
			let text = `${lines.join('\n')}\n`;
			if (text.includes('\u001B')) {
				text = stripVTControlCharacters(text);
			}

			append(
				agent,
				stream === 'stderr' ? prefixLines(text, '[stderr] ') : text,
			);
		},
		async close() {
			for (const log of logs.values()) {
				closing.push(endStream(log.stream));
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
