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
	/**
	Epoch ms of the end of the last successful execution (a halt is one). Optional: a state file
	written before it was kept has none, and loadState takes it from the history.
	*/
	readonly lastSuccess?: number | undefined;
	/** Cycles in a row, up to now, at whose end the agent was unhealthy. */
	readonly unhealthyCycles: number;
	/**
	Epoch ms of its last start in a cycle (any outcome), which `every` and `cron` count from.
	Optional: a state file written before schedules has none, and the agent is then due.
	*/
	readonly lastStart?: number | undefined;
};

/** A cycle whose engine died before recording it (found by the engine that took over). */
export type InterruptedCycle = {
	readonly cycle: number;
	/** When the engine that took over found it. */
	readonly foundAt: string;
	/** The dead engine's pid. */
	readonly pid: number | undefined;
	/** The agents it left running, ended by the engine that took over. */
	readonly agentsEnded: readonly string[];
};

/** The state file's format; an older one is migrated, a newer one set aside. */
export const stateVersion = 2;

/** The monitoring half's memory: what `state.json` holds. */
export type MonitorState = {
	readonly version: typeof stateVersion;
	/** The config file (real path) this state belongs to; another config's state is set aside. */
	readonly config?: string | undefined;
	/** The highest cycle number used, recorded or not: numbering goes on after it. */
	readonly lastCycle?: number | undefined;
	/** The latest interrupted cycles, oldest first, capped. */
	readonly interrupted?: readonly InterruptedCycle[] | undefined;
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
	lastSuccess: undefined,
	unhealthyCycles: 0,
};

export const emptyState: MonitorState = {
	version: stateVersion,
	totalCycles: 0,
	halts: 0,
	cycleDurationsS: [],
	agents: {},
};

export const stateFileName = 'state.json';

/** Why a state file is not this run's, and the suffix of the name it is set aside under. */
class SetAside extends Error {
	readonly suffix: string;

	constructor(message: string, suffix: string) {
		super(message);
		this.suffix = suffix;
	}
}

/**
Reads the state file of a metrics folder. Missing: a fresh start. Corrupt, unreadable, written by
a newer moondev-tui or for another config: moved aside (so nothing is lost) with a warning, and a
fresh start — never a crash. An older format is migrated.
*/
export function loadState(
	folder: string,
	/** The config file's real path: a state of another config is not this run's. */
	config?: string,
): {
	state: MonitorState;
	warning: string | undefined;
} {
	const file = path.join(folder, stateFileName);
	const fresh = {...emptyState, config};
	if (!existsSync(file)) {
		return {state: fresh, warning: undefined};
	}

	try {
		const state = parseState(JSON.parse(readFileSync(file, 'utf8')));
		if (
			config !== undefined &&
			state.config !== undefined &&
			state.config !== config
		) {
			throw new SetAside(`it belongs to ${state.config}`, 'other-config');
		}

		return {state: {...state, config}, warning: undefined};
	} catch (error) {
		const suffix = error instanceof SetAside ? error.suffix : 'corrupt';
		const aside = `${file}.${suffix}-${Date.now()}`;
		let where = `moved to ${path.basename(aside)}`;
		try {
			renameSync(file, aside);
		} catch {
			where = 'left in place';
		}

		const reason = error instanceof Error ? error.message : String(error);
		return {
			state: fresh,
			warning: `state file ${file} ${error instanceof SetAside ? "is not this run's" : 'could not be read'} (${reason}); ${where}, starting from scratch`,
		};
	}
}

/** Notes a cycle that a dead engine left unrecorded, so numbering goes on after it. */
export function withInterruptedCycle(
	state: MonitorState,
	interrupted: InterruptedCycle,
): MonitorState {
	return {
		...state,
		lastCycle: Math.max(state.lastCycle ?? 0, interrupted.cycle),
		interrupted: [...(state.interrupted ?? []), interrupted].slice(-20),
	};
}

/** The number of the next cycle: after every cycle recorded or interrupted. */
export function nextCycleOf(state: MonitorState): number {
	return Math.max(state.totalCycles, state.lastCycle ?? 0) + 1;
}

/** Writes the state file atomically: a crash leaves the previous one whole. */
export function saveState(folder: string, state: MonitorState): void {
	writeFileAtomicSync(
		path.join(folder, stateFileName),
		`${JSON.stringify(state)}\n`,
	);
}

/** Checks the shape of a parsed state file, migrating an older format; throws on anything unexpected. */
function parseState(data: unknown): MonitorState {
	const state = data as
		(Omit<Partial<MonitorState>, 'version'> & {version?: unknown}) | undefined;
	const isCount = (value: unknown) =>
		Number.isInteger(value) && (value as number) >= 0;
	if (
		typeof state?.version === 'number' &&
		Number.isInteger(state.version) &&
		state.version > stateVersion
	) {
		throw new SetAside(
			`it was written by a newer moondev-tui (format ${state.version}; this one reads up to ${stateVersion})`,
			`v${state.version}`,
		);
	}

	// Format 1 had neither `config`, `lastCycle` nor `interrupted`: the same figures otherwise.
	if (
		(state?.version !== 1 && state?.version !== stateVersion) ||
		!isCount(state.totalCycles) ||
		!isCount(state.halts) ||
		!Array.isArray(state.cycleDurationsS) ||
		typeof state.agents !== 'object' ||
		state.agents === null
	) {
		throw new Error(
			`not a moondev-tui state file (format 1 to ${stateVersion})`,
		);
	}

	const agents: Array<[string, AgentRecord]> = [];
	for (const [name, record] of Object.entries(state.agents)) {
		if (!Array.isArray(record.history) || !isCount(record.executions)) {
			throw new Error(`agents.${name}: malformed`);
		}

		if (record.lastSuccess !== undefined && !isCount(record.lastSuccess)) {
			throw new Error(`agents.${name}.lastSuccess: malformed`);
		}

		if (record.lastStart !== undefined && !isCount(record.lastStart)) {
			throw new Error(`agents.${name}.lastStart: malformed`);
		}

		agents.push([name, withLastSuccess(record)]);
	}

	// Object.fromEntries defines own properties: a key such as "__proto__" stays data.
	return {
		...(state as MonitorState),
		version: stateVersion,
		agents: Object.fromEntries(agents),
	};
}

/**
The last success of a record read from a file: the one recorded, or, in a file written before it
was kept (or by an older moondev-tui that kept it unchanged), the latest in the history.
*/
function withLastSuccess(record: AgentRecord): AgentRecord {
	const inHistory = record.history.findLast(execution => execution.ok)?.time;
	const latest =
		record.lastSuccess === undefined
			? inHistory
			: inHistory === undefined
				? record.lastSuccess
				: Math.max(record.lastSuccess, inHistory);
	return latest === record.lastSuccess
		? record
		: {...record, lastSuccess: latest};
}
