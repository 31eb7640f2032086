import type {AttemptStatus} from '../contract/events.js';
import type {OutputStream} from '../runner/run-agent.js';
import type {ProtocolMessage} from '../runner/parse-protocol-line.js';

/*
What the engine and its workers share in Redis (contract §10), in one place. Besides BullMQ's own
keys (one queue per worker, under `moondev-bull:`), each queue has:

- `moondev:<queue>:engine`: the engine's lock, {id, host, pid}, with an expiry the engine renews.
  It is the engine's heartbeat too: a worker ends the attempts of an engine that no longer holds it.
- `moondev:<queue>:workers`: a set of worker ids; `moondev:<queue>:worker:<id>`: each worker's
  heartbeat ({id, host, pid, tags, concurrency, stopping, running}), with an expiry it renews.
- `moondev:<queue>:out:<job>`: a stream per attempt, the worker's output in order, ending with
  the attempt's result.
- `moondev:<queue>:cancel`: a channel on which the engine asks a worker to cancel a job.
- `moondev:<queue>:claim:<job>`: who decided a job's fate first, set NX: the worker's `started`
  before it runs anything, or the engine's `cancelled` when it gives the job up. Only an engine
  whose `cancelled` won may say the job never started (and retry it); a worker that finds
  `cancelled` refuses the job.
- `moondev:<queue>:cancel:<job>`: a cancel that a lost pub/sub message cannot lose: the worker
  reads it for each running attempt with every heartbeat.
*/

/**
What the fleet's code gets from the rest of the program, injected rather than imported: the fleet
is a chunk of its own that only workers and engines with orchestrator.workers load, and a module
it shared with the start-up path would split that path into more chunks.
*/
export type FleetServices = {
	/** An error the command line reports as a usage or config error (exit 2), message alone. */
	readonly fail: (message: string) => Error;
	/** Whether a process of this host runs (a zombie does not). */
	readonly isProcessRunning: (pid: number) => boolean;
};

/** The prefix of BullMQ's keys: apart from anything else on the same Redis. */
export const bullPrefix = 'moondev-bull';

/** How often the engine renews its lock, and how long the lock lasts unrenewed. */
export const engineRenewMs = 1000;
export const engineLockTtlMs = 5000;

/** How often a worker writes its heartbeat, and how long it lasts unrenewed ("worker lost" after). */
export const workerBeatMs = 1000;
export const workerTtlMs = 4000;

/** A worker kills its attempts once Redis has not answered for this long (fencing). */
export const fenceSilenceMs = 3000;

/**
How long a job's claim and cancel keys last: longer than any job waits or runs. They are never
deleted early: a claim deleted would let a stale copy of the job start.
*/
export const claimTtlMs = 6 * 3600 * 1000;

/** Output is sent in batches at least this often, and at most this large. */
export const outputFlushMs = 25;
export const outputBatchBytes = 64 * 1024;
/** Stream entries (batches) the engine may have unread before the worker sends no more. */
export const outputStreamEntries = 64;
/** Unsent output a worker keeps at most; past it, lines are dropped and counted. */
export const outputBacklogBytes = 8 * 1024 * 1024;

export type FleetKeys = {
	readonly engine: string;
	readonly workers: string;
	readonly worker: (id: string) => string;
	readonly output: (job: string) => string;
	readonly cancel: string;
	readonly claim: (job: string) => string;
	readonly cancelOf: (job: string) => string;
	/** The BullMQ queue a worker takes its attempts from. */
	readonly workerQueue: (id: string) => string;
};

export function fleetKeys(queue: string): FleetKeys {
	const base = `moondev:${queue}`;
	return {
		engine: `${base}:engine`,
		workers: `${base}:workers`,
		worker: id => `${base}:worker:${id}`,
		output: job => `${base}:out:${job}`,
		cancel: `${base}:cancel`,
		claim: job => `${base}:claim:${job}`,
		cancelOf: job => `${base}:cancel:${job}`,
		workerQueue: id => `${queue}.${id}`,
	};
}

/** The engine's lock value. */
export type EngineLockValue = {
	readonly id: string;
	readonly host: string;
	readonly pid: number;
};

/** What a job carries: names and numbers only; the worker's own config says what to run. */
export type AttemptJob = {
	readonly agent: string;
	readonly cycle: number;
	readonly attempt: number;
	/** The engine that sent it: the worker runs it only while that engine holds the queue. */
	readonly engine: string;
};

/** An attempt a worker is running, as its heartbeat lists it. */
export type RunningAttempt = AttemptJob & {readonly job: string};

/** A worker's heartbeat. */
export type WorkerBeat = {
	readonly id: string;
	readonly host: string;
	readonly pid: number;
	readonly tags: readonly string[];
	readonly concurrency: number;
	/** Stopping cleanly: it takes no new attempt. */
	readonly stopping: boolean;
	readonly running: readonly RunningAttempt[];
};

/** The result of a remote attempt, as the worker's runner gave it. */
export type RemoteResult = {
	readonly status: AttemptStatus;
	// Optional: the result travels as JSON, which leaves out what is undefined.
	readonly exitCode?: number | undefined;
	readonly signal?: string | undefined;
	readonly error?: string | undefined;
	readonly haltReason?: string | undefined;
	readonly durationMs: number;
	readonly malformedLines: number;
	readonly passed: boolean;
	readonly untrustedLines: readonly string[];
	/** The worker failed mid-attempt: it may have run, so never again this cycle. */
	readonly noRetry?: boolean | undefined;
};

/** One item of an attempt's output stream; a stream entry holds a batch of them, in order. */
export type OutputItem =
	| {readonly start: string}
	| {readonly lines: readonly string[]; readonly stream: OutputStream}
	| {readonly message: ProtocolMessage}
	| {readonly end: RemoteResult};

/** The field of a stream entry that holds its batch (JSON). */
export const batchField = 'd';

/** JSON read from Redis (a reply may be null), or undefined when it is not JSON. */
export function parseJson(text: unknown): unknown {
	if (typeof text !== 'string') {
		return undefined;
	}

	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/** A job's data checked: anything else written to Redis is refused. */
export function parseAttemptJob(data: unknown): AttemptJob | undefined {
	if (typeof data !== 'object' || data === null) {
		return undefined;
	}

	const {agent, cycle, attempt, engine} = data as Record<string, unknown>;
	if (
		typeof agent !== 'string' ||
		typeof engine !== 'string' ||
		!Number.isSafeInteger(cycle) ||
		!Number.isSafeInteger(attempt)
	) {
		return undefined;
	}

	return {
		agent,
		cycle: cycle as number,
		attempt: attempt as number,
		engine,
	};
}

export function parseWorkerBeat(text: unknown): WorkerBeat | undefined {
	const beat = parseJson(text);
	if (
		typeof beat !== 'object' ||
		beat === null ||
		typeof (beat as WorkerBeat).id !== 'string' ||
		!Array.isArray((beat as WorkerBeat).tags) ||
		!Array.isArray((beat as WorkerBeat).running)
	) {
		return undefined;
	}

	return beat as WorkerBeat;
}

export function parseEngineLock(text: unknown): EngineLockValue | undefined {
	const value = parseJson(text);
	return typeof value === 'object' &&
		value !== null &&
		typeof (value as EngineLockValue).id === 'string'
		? (value as EngineLockValue)
		: undefined;
}

/** A failed attempt's result, for one the worker refused or never started. */
export function failedResult(error: string): RemoteResult {
	return {
		status: 'failed',
		error,
		durationMs: 0,
		malformedLines: 0,
		passed: false,
		untrustedLines: [],
	};
}
