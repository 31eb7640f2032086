import {existsSync, readFileSync, renameSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomicSync} from './atomic-write.js';
import type {Execution} from './health.js';

/** What is kept of an agent across cycles and restarts. */
export type AgentRecord = {
	/** The latest executions, oldest first, capped (health reads the last `healthWindow`). */
	readonly history: readonly Execution[];
	readonly executions: number;
	readonly successes: number;
	readonly failures: number;
	readonly totalRetries: number;
	/** Epoch ms of the end of the last counted execution. */
	readonly lastExecution: number | undefined;
	readonly lastDurationS: number | undefined;
	/** Cycles in a row, up to now, at whose end the agent was unhealthy. */
	readonly unhealthyCycles: number;
};

/** The monitoring half's memory: what `state.json` holds. */
export type MonitorState = {
	readonly version: 1;
	readonly totalCycles: number;
	readonly halts: number;
	/** The latest cycles' durations in seconds, oldest first. */
	readonly cycleDurationsS: readonly number[];
	readonly agents: Readonly<Record<string, AgentRecord>>;
};

export const emptyAgentRecord: AgentRecord = {
	history: [],
	executions: 0,
	successes: 0,
	failures: 0,
	totalRetries: 0,
	lastExecution: undefined,
	lastDurationS: undefined,
	unhealthyCycles: 0,
};

export const emptyState: MonitorState = {
	version: 1,
	totalCycles: 0,
	halts: 0,
	cycleDurationsS: [],
	agents: {},
};

export const stateFileName = 'state.json';

/**
Reads the state file of a metrics folder. Missing: a fresh start. Corrupt or unreadable: moved
aside (so nothing is lost) with a warning, and a fresh start — never a crash.
*/
export function loadState(folder: string): {
	state: MonitorState;
	warning: string | undefined;
} {
	const file = path.join(folder, stateFileName);
	if (!existsSync(file)) {
		return {state: emptyState, warning: undefined};
	}

	try {
		return {
			state: parseState(JSON.parse(readFileSync(file, 'utf8'))),
			warning: undefined,
		};
	} catch (error) {
		const aside = `${file}.corrupt-${Date.now()}`;
		let where = `moved to ${path.basename(aside)}`;
		try {
			renameSync(file, aside);
		} catch {
			where = 'left in place';
		}

		const reason = error instanceof Error ? error.message : String(error);
		return {
			state: emptyState,
			warning: `state file ${file} could not be read (${reason}); ${where}, starting from scratch`,
		};
	}
}

/** Writes the state file atomically: a crash leaves the previous one whole. */
export function saveState(folder: string, state: MonitorState): void {
	writeFileAtomicSync(
		path.join(folder, stateFileName),
		`${JSON.stringify(state)}\n`,
	);
}

/** Checks the shape of a parsed state file; throws on anything unexpected. */
function parseState(data: unknown): MonitorState {
	const state = data as Partial<MonitorState> | undefined;
	const isCount = (value: unknown) =>
		Number.isInteger(value) && (value as number) >= 0;
	if (
		state?.version !== 1 ||
		!isCount(state.totalCycles) ||
		!isCount(state.halts) ||
		!Array.isArray(state.cycleDurationsS) ||
		typeof state.agents !== 'object' ||
		state.agents === null
	) {
		throw new Error('not a moondev-tui state file (version 1)');
	}

	for (const [name, record] of Object.entries(state.agents)) {
		if (!Array.isArray(record.history) || !isCount(record.executions)) {
			throw new Error(`agents.${name}: malformed`);
		}
	}

	return state as MonitorState;
}
