import {type ChildProcess, spawn, type SpawnOptions} from 'node:child_process';
import {existsSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import type {Readable} from 'node:stream';
import type {AttemptStatus} from '../contract/events.js';
import {escapeControls} from '../util/escape-text.js';
import {
	isGroupAlive,
	signalGroup,
	trackGroup,
	untrackGroup,
} from './kill-group.js';
import {launchDyingWithEngine} from './die-with-engine.js';
import {createLineSplitter} from './line-splitter.js';
import {
	parseProtocolLine,
	protocolPrefix,
	type ProtocolMessage,
	untrustedProtocolLine,
} from './parse-protocol-line.js';

/*
One piece past 300 lines because one attempt's life is one sequence over shared state: spawn,
read both streams, parse protocol lines, time out or cancel, kill the group with its grace, drain
pipes an escaped process holds, and say how it ended. Split, each part would need all of it.
*/

export type OutputStream = 'stdout' | 'stderr';

/** One attempt of one agent. */
export type RunAgentRequest = {
	readonly agent: string;
	/** Argv, the program first. */
	readonly command: readonly string[];
	readonly cwd: string;
	/** Added to the inherited environment. */
	readonly env: Readonly<Record<string, string>>;
	readonly timeoutMs: number;
	/** Between SIGTERM and SIGKILL to the group. */
	readonly killGraceMs: number;
	/** Aborting it cancels the attempt (the group is killed as on a timeout). */
	readonly signal?: AbortSignal | undefined;
	/**
	Aborting it cancels the attempt with SIGKILL to the group at once, without the grace: for a
	worker fenced off Redis, whose heartbeat expires before a grace would end.
	*/
	readonly killNow?: AbortSignal | undefined;
	/** Each well-formed `::moondev::` line. */
	readonly onMessage?: ((message: ProtocolMessage) => void) | undefined;
	/**
	Every log line, in order per stream, a chunk at a time. A promise returned asks to read no more
	of that stream until it settles (the log file is behind).
	*/
	readonly onLines?:
		| ((lines: readonly string[], stream: OutputStream) => LinesBackpressure)
		| undefined;
	/** Set for an agent with `runOn`: a runner of the workers runs it (contract §10), not this one. */
	readonly remote?: RemoteAttempt | undefined;
};

/** What a worker needs to know of an attempt: names and numbers, never the command or env. */
export type RemoteAttempt = {
	readonly tag: string;
	readonly cycle: number;
	readonly attempt: number;
	/** Called with the worker's name once one is chosen, before any output. */
	readonly onWorker: (worker: string) => void;
};

export type AttemptResult = {
	readonly status: AttemptStatus;
	readonly exitCode: number | undefined;
	readonly signal: string | undefined;
	/** Why it did not succeed, for people: "exit code 2: KeyError: 'price'", "timed out after 30s". */
	readonly error: string | undefined;
	/** The reason of the last `halt` line, if it sent one. */
	readonly haltReason: string | undefined;
	readonly durationMs: number;
	/** `::moondev::` lines that could not be read, kept as log lines. */
	readonly malformedLines: number;
	/** It said `pass` in this attempt. */
	readonly passed: boolean;
	/**
	Lines that look like protocol lines but cannot be trusted (malformed, or a halt in the wrong
	case, after other text, on stderr), described; the first few. A critical agent's halt the cycle.
	*/
	readonly untrustedLines: readonly string[];
	/** A remote attempt: the worker it ran on. */
	readonly worker?: string | undefined;
	/**
	It may have done something nobody saw end (its worker was lost): never run again in this
	cycle, whatever the retries say, so an order is never placed twice.
	*/
	readonly noRetry?: boolean | undefined;
};

export type RunAgent = (request: RunAgentRequest) => Promise<AttemptResult>;

/** What a taker of lines returns: a promise to pause the stream until it settles, or nothing. */
export type LinesBackpressure = void | Promise<void>;

/** How the process ended: its exit code or signal, or the error code of a spawn that failed. */
type SpawnOutcome = {
	readonly exitCode: number | undefined;
	readonly signal: string | undefined;
	readonly code?: string | undefined;
};

let inherited: Record<string, string | undefined> | undefined;

/** The environment moondev-tui itself got, copied once. */
function inheritedEnvironment(): Record<string, string | undefined> {
	inherited ??= {...process.env};
	return inherited;
}

/** Untrusted protocol lines described per attempt; the first is what a halt names. */
const maxUntrustedLines = 3;

/** Streams left open by a process that escaped the group are closed this long after the kill. */
const streamDrainMs = 2000;

/** A close this long after the exit means something held the agent's pipes. */
const pipesHeldMs = 20;

/**
Runs one attempt as a real child process in its own process group, reading its output line by
line without buffering it, and kills the whole group on timeout or cancel, and any of it left
behind when the agent itself exits.
*/
export const runAgent: RunAgent = async request => {
	const started = performance.now();
	const [program = '', ...args] = request.command;
	let malformedLines = 0;
	let haltReason: string | undefined;
	let passed = false;
	const untrustedLines: string[] = [];
	let lastStderrLine: string | undefined;
	const noteUntrusted = (line: string, stream: OutputStream) => {
		const why =
			untrustedLines.length < maxUntrustedLines
				? untrustedProtocolLine(line, stream)
				: undefined;
		if (why !== undefined) {
			untrustedLines.push(why);
		}
	};

	if (request.signal?.aborted) {
		return {
			status: 'cancelled',
			exitCode: undefined,
			signal: undefined,
			error: 'cancelled before it started',
			haltReason,
			durationMs: 0,
			malformedLines,
			passed,
			untrustedLines,
		};
	}

	const env = {...inheritedEnvironment(), ...request.env};
	// Started so that it gets SIGTERM if the engine dies (SIGKILL, the OOM killer), where Linux can.
	const launch = launchDyingWithEngine(program, args, {
		cwd: request.cwd,
		pathVariable: env['PATH'],
	});
	if ('error' in launch) {
		const reason = existsSync(request.cwd)
			? describeSpawnError({code: launch.error}, program)
			: `working folder not found: ${request.cwd}`;
		return {
			status: 'failed',
			exitCode: undefined,
			signal: undefined,
			error: `cannot start: ${reason}`,
			haltReason,
			durationMs: performance.now() - started,
			malformedLines,
			passed,
			untrustedLines,
		};
	}

	const {subprocess, ended} = startProcess(launch.file, launch.args, {
		cwd: request.cwd,
		// The merge is ours: copying process.env (an exotic object) on every spawn is slow.
		env,
		// Its own process group (setsid), so the whole tree can be signalled at once.
		detached: true,
		// Read as a stream: nothing an agent prints is kept whole in memory.
		stdio: ['ignore', 'pipe', 'pipe'],
	});

	const pid = subprocess?.pid;
	if (pid !== undefined) {
		trackGroup(pid, request.agent);
	}

	let wait: Promise<void> | undefined;
	const onLines = (stream: OutputStream) => (lines: string[]) => {
		let logLines = lines;
		if (stream === 'stdout') {
			logLines = [];
			for (const line of lines) {
				const message = line.startsWith(protocolPrefix)
					? parseProtocolLine(line)
					: undefined;
				if (message) {
					// A halt wins whatever comes after it; a pass counts for this attempt only.
					haltReason = message.type === 'halt' ? message.reason : haltReason;
					passed ||= message.type === 'pass';
					request.onMessage?.(message);
				} else {
					// A malformed protocol line stays a log line, and is counted.
					malformedLines += line.startsWith(protocolPrefix) ? 1 : 0;
					noteUntrusted(line, stream);
					logLines.push(line);
				}
			}
		} else {
			// The last line with something to read once colours are gone (a lone colour reset is not).
			lastStderrLine =
				lines.findLast(line => escapeControls(line).trim() !== '') ??
				lastStderrLine;
			for (const line of lines) {
				noteUntrusted(line, stream);
			}
		}

		if (logLines.length > 0) {
			const pause = request.onLines?.(logLines, stream);
			if (pause) {
				wait = pause;
			}
		}
	};

	const readLines = (readable: Readable | undefined, stream: OutputStream) => {
		if (!readable) {
			return;
		}

		const splitter = createLineSplitter(onLines(stream));
		readable.setEncoding('utf8');
		// A pipe error ends the stream; the attempt ends with the process as always.
		readable.on('error', () => undefined);
		readable.on('data', (chunk: string) => {
			splitter.push(chunk);
			// The log is behind: the agent's pipe fills and it waits, instead of our memory growing.
			if (wait) {
				const settled = wait;
				wait = undefined;
				readable.pause();
				const resume = () => {
					readable.resume();
				};

				// Whatever it settles with, reading goes on.
				void settled.then(resume, resume);
			}
		});
		readable.once('end', () => {
			splitter.end();
			wait = undefined;
		});
	};

	readLines(subprocess?.stdout ?? undefined, 'stdout');
	readLines(subprocess?.stderr ?? undefined, 'stderr');

	let stoppedBy: 'timeout' | 'cancelled' | undefined;
	/*
	Found empty when the leader exited: an empty group cannot be joined again, so it is not asked
	about twice (each ask of a gone group is a thrown ESRCH), and a later process that reuses the id
	is never mistaken for it.
	*/
	let groupGone = false;
	let killDeadline: number | undefined;
	let killTimer: NodeJS.Timeout | undefined;
	let drainTimer: NodeJS.Timeout | undefined;

	/** Closes the pipes, for when a process that left the group still holds them open. */
	const drainAfter = (ms: number) => {
		drainTimer ??= setTimeout(() => {
			subprocess?.stdout?.destroy();
			subprocess?.stderr?.destroy();
		}, ms);
	};

	/** SIGTERM to the group now, SIGKILL once the grace has passed. */
	const killGroup = () => {
		if (pid === undefined || killDeadline !== undefined) {
			return;
		}

		killDeadline = performance.now() + request.killGraceMs;
		signalGroup(pid, 'SIGTERM');
		killTimer = setTimeout(() => {
			signalGroup(pid, 'SIGKILL');
		}, request.killGraceMs);
		drainAfter(request.killGraceMs + streamDrainMs);
	};

	const stop = (reason: 'timeout' | 'cancelled') => {
		stoppedBy ??= reason;
		killGroup();
	};

	const timeoutTimer = setTimeout(() => {
		stop('timeout');
	}, request.timeoutMs);
	const onAbort = () => {
		stop('cancelled');
	};

	request.signal?.addEventListener('abort', onAbort, {once: true});
	const onKillNow = () => {
		stoppedBy ??= 'cancelled';
		if (pid === undefined) {
			return;
		}

		clearTimeout(killTimer);
		killDeadline = performance.now();
		signalGroup(pid, 'SIGKILL');
		drainAfter(streamDrainMs);
	};

	if (request.killNow?.aborted) {
		onKillNow();
	} else {
		request.killNow?.addEventListener('abort', onKillNow, {once: true});
	}

	let exitedAt: number | undefined;
	subprocess?.once('exit', () => {
		exitedAt = performance.now();
		clearTimeout(timeoutTimer);
		// The agent is done; anything it left running in its group goes too, with the same grace.
		if (pid !== undefined) {
			if (isGroupAlive(pid)) {
				killGroup();
			} else {
				groupGone = true;
			}
		}

		// Whatever happens to the group, the pipes close in bounded time: a process that escaped
		// the group (setsid) and keeps stdout open must not hang the cycle.
		drainAfter(request.killGraceMs + streamDrainMs);
	});

	const result = await ended;
	clearTimeout(timeoutTimer);
	clearTimeout(drainTimer);
	request.signal?.removeEventListener('abort', onAbort);
	request.killNow?.removeEventListener('abort', onKillNow);
	// Pipes held open well past the leader's exit: something held them, perhaps a member forked
	// while the group was scanned at the exit. Looked at again below, not taken as gone.
	if (exitedAt !== undefined && performance.now() - exitedAt > pipesHeldMs) {
		groupGone = false;
	}

	if (pid !== undefined) {
		// The leader may be gone while its group is still in its grace period: wait it out, so a
		// worker under a wrapper (sh -c, npm run) gets its time to clean up.
		const deadline = groupGone ? 0 : (killDeadline ?? 0);
		while (performance.now() < deadline && isGroupAlive(pid)) {
			// eslint-disable-next-line no-await-in-loop -- polling the group, a few times at most
			await delay(Math.min(50, Math.max(1, deadline - performance.now())));
		}

		clearTimeout(killTimer);
		if (!groupGone && isGroupAlive(pid)) {
			signalGroup(pid, 'SIGKILL');
		}

		untrackGroup(pid);
	}

	const durationMs = performance.now() - started;
	const {exitCode} = result;
	const {signal} = result;
	const base = {
		exitCode,
		signal,
		haltReason,
		durationMs,
		malformedLines,
		passed,
		untrustedLines,
	};

	if (pid === undefined) {
		const reason = existsSync(request.cwd)
			? describeSpawnError(result, program)
			: `working folder not found: ${request.cwd}`;
		return {...base, status: 'failed', error: `cannot start: ${reason}`};
	}

	if (stoppedBy === 'timeout') {
		return {
			...base,
			status: 'timeout',
			error: `timed out after ${formatSeconds(request.timeoutMs)}`,
		};
	}

	if (stoppedBy === 'cancelled') {
		return {...base, status: 'cancelled', error: 'cancelled'};
	}

	if (exitCode === 0) {
		return {...base, status: 'success', error: undefined};
	}

	const how = signal ? `killed by ${signal}` : `exit code ${exitCode ?? '?'}`;
	return {
		...base,
		status: 'failed',
		// The agent's own words, escaped: a newline or an escape sequence in them never reaches a screen.
		error: lastStderrLine
			? `${how}: ${clip(escapeControls(lastStderrLine).trim())}`
			: how,
	};
};

/*
Node's own spawn, not execa: with our options (no buffer, no reject, no cleanup, our own group
kill) execa added ~1 ms of CPU a spawn and ~18 MB of RSS over 200 agents, plus its load at
start-up, and a fork's cost grows with the parent's memory. What execa gave is here: the exit code
or the signal, a failed spawn's error code (never a throw), and the end once the process has
exited and both pipes have closed (every line read).
*/
function startProcess(
	file: string,
	args: readonly string[],
	options: SpawnOptions,
): {
	readonly subprocess: ChildProcess | undefined;
	readonly ended: Promise<SpawnOutcome>;
} {
	let subprocess: ChildProcess;
	try {
		subprocess = spawn(file, args, options);
	} catch (error) {
		// Arguments Node refuses (a NUL byte in a word): a failed start, as execa reported it.
		const {code} = error as NodeJS.ErrnoException;
		return {
			subprocess: undefined,
			ended: Promise.resolve({exitCode: undefined, signal: undefined, code}),
		};
	}

	const ended = new Promise<SpawnOutcome>(resolve => {
		subprocess.once('close', (code, signal) => {
			resolve({exitCode: code ?? undefined, signal: signal ?? undefined});
		});
		subprocess.once('error', (error: NodeJS.ErrnoException) => {
			// A spawn that failed (no pid) may never close its pipes; any other error ends with 'close'.
			if (subprocess.pid === undefined) {
				resolve({exitCode: undefined, signal: undefined, code: error.code});
			}
		});
	});
	return {subprocess, ended};
}

function describeSpawnError(
	result: {
		readonly code?: string | undefined;
		readonly originalMessage?: string | undefined;
	},
	program: string,
): string {
	switch (result.code ?? '') {
		case 'ENOENT': {
			return `command not found: ${program}`;
		}

		case 'EACCES': {
			return `not executable: ${program}`;
		}

		default: {
			// Only the code: Node's own message may quote the options, the environment included.
			return `${program} failed to start (${result.code ?? 'unknown error'})`;
		}
	}
}

function formatSeconds(ms: number): string {
	return `${Number((ms / 1000).toFixed(3))}s`;
}

function clip(text: string, max = 200): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
