import {layoutOf} from '../config/agent-layout.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import type {
	AgentLayout,
	AgentLiveStatus,
	AlertLevel,
	HealthStatus,
	WorkerInfo,
} from '../contract/events.js';
import {own} from '../util/own.js';

/** One agent as the screen shows it. */
export type AgentState = {
	readonly name: string;
	readonly critical: boolean;
	readonly phase: string | undefined;
	readonly enabled: boolean;
	readonly status: AgentLiveStatus;
	/** The attempt running or last run, 1-based; 0 before the first. */
	readonly attempt: number;
	readonly maxAttempts: number;
	/** From `progress` lines; undefined when the agent sent none this run. */
	readonly percent: number | undefined;
	readonly message: string | undefined;
	/** Epoch ms of this cycle's start, and of its end. */
	readonly startedAt: number | undefined;
	readonly endedAt: number | undefined;
	readonly lastDurationMs: number | undefined;
	readonly error: string | undefined;
	/** When the next attempt starts, while waiting to retry. */
	readonly retryAt: number | undefined;
	/** When its `every`/`cron` schedule is next due, as of its last `not_due` (epoch ms). */
	readonly nextDueAt: number | undefined;
	/** The latest log lines, oldest first, at most `recentLinesCapacity`. */
	readonly recentLines: readonly LogLine[];
	/** Lines printed in all, and lines printed that never reached `recentLines`. */
	readonly totalLines: number;
	readonly droppedLines: number;
	readonly metrics: Readonly<Record<string, number>>;
	/** Each metric's latest values, oldest first, at most `metricHistoryCapacity`: change and sparkline. */
	readonly metricHistory: Readonly<Record<string, readonly number[]>>;
	readonly health: AgentHealth;
	/** `::moondev::` lines it printed that could not be read, over the run: shown on its row. */
	readonly malformedLines: number;
	/** CPU (of one core) and memory of its process group while it runs; undefined otherwise. */
	readonly usage:
		{readonly cpuPercent: number; readonly memoryBytes: number} | undefined;
	/** The worker its running or last attempt ran on, for an agent with `runOn`. */
	readonly worker?: string | undefined;
};

/**
A line of an agent's log view: what it printed on stdout or stderr, or a mark of an attempt's start
or end; `at` is when it was printed (within the batch's tenth of a second).
*/
export type LogLine = {
	readonly text: string;
	readonly kind: 'out' | 'err' | 'mark';
	/** Epoch ms. */
	readonly at: number;
};

/** What the health badge shows; `avgDurationS` also drives the estimated progress bar. */
export type AgentHealth = {
	readonly status: HealthStatus;
	readonly successRate: number | undefined;
	readonly avgDurationS: number | undefined;
};

/** One phase of the running or last cycle: the phase split of the timings panel. */
export type PhaseTiming = {
	readonly name: string;
	readonly startedAt: number;
	readonly endedAt: number | undefined;
};

export type CycleState = {
	/** The running or last cycle; 0 before the first. */
	readonly number: number;
	readonly running: boolean;
	readonly phase: string | undefined;
	/** 1-based index of the phase running, of `phaseCount`. */
	readonly phaseIndex: number;
	readonly phaseCount: number;
	readonly startedAt: number | undefined;
	readonly endedAt: number | undefined;
	readonly halted: boolean;
	readonly haltReason: string | undefined;
	readonly haltedBy: string | undefined;
	readonly nextRunAt: number | undefined;
	readonly paused: boolean;
	readonly forced: boolean;
	/** Durations of the latest cycles, oldest first. */
	readonly recentDurationsMs: readonly number[];
	/** The phases of the running or last cycle, in order. */
	readonly phases: readonly PhaseTiming[];
};

export type AlertEntry = {
	readonly time: number;
	readonly level: AlertLevel;
	readonly message: string;
	readonly agent: string | undefined;
};

/** Everything the app knows, derived from the config and the event stream only. */
export type AppState = {
	readonly configFile: string;
	/** The bundled demo runs: the screen says so. */
	readonly demo: boolean;
	readonly agentOrder: readonly string[];
	readonly phaseNames: readonly string[];
	readonly agents: Readonly<Record<string, AgentState>>;
	readonly cycle: CycleState;
	/** The latest alerts, newest last. */
	readonly alerts: readonly AlertEntry[];
	/** The live workers, when the config has orchestrator.workers. */
	readonly workers?: readonly WorkerInfo[] | undefined;
};

const unknownHealth: AgentHealth = {
	status: 'unknown',
	successRate: undefined,
	avgDurationS: undefined,
};

/** How many values of each agent metric the store keeps. */
export const metricHistoryCapacity = 20;

/** How many alerts and cycle durations the store keeps. */
export const alertsCapacity = 100;
export const recentCyclesCapacity = 50;

/**
The agents laid out anew (a reloaded config): those kept keep what they did and showed, with their
new place and settings; new ones start idle; those gone leave.
*/
export function withLayout(
	state: AppState,
	layout: readonly AgentLayout[],
	phaseNames: readonly string[],
): AppState {
	const agents: Record<string, AgentState> = {};
	for (const agent of layout) {
		const kept = own(state.agents, agent.name);
		agents[agent.name] = {
			...(kept ?? newAgent(agent.name)),
			critical: agent.critical,
			phase: agent.phase ?? undefined,
			enabled: agent.enabled,
			maxAttempts: agent.maxAttempts,
		};
	}

	return {
		...state,
		agents,
		agentOrder: layout.map(agent => agent.name),
		phaseNames,
		cycle: {...state.cycle, phaseCount: phaseNames.length},
	};
}

function newAgent(name: string): AgentState {
	return {
		name,
		critical: false,
		phase: undefined,
		enabled: false,
		status: 'idle',
		attempt: 0,
		maxAttempts: 1,
		percent: undefined,
		message: undefined,
		startedAt: undefined,
		endedAt: undefined,
		lastDurationMs: undefined,
		error: undefined,
		retryAt: undefined,
		nextDueAt: undefined,
		malformedLines: 0,
		usage: undefined,
		recentLines: [],
		totalLines: 0,
		droppedLines: 0,
		metrics: {},
		metricHistory: {},
		health: unknownHealth,
	};
}

/** The state before any event: every agent idle, no cycle yet. */
export function createInitialState(
	config: ResolvedConfig,
	isEnabled?: (agent: string) => boolean,
	/** Durations of the cycles before this run (from the state file), oldest first. */
	previousDurationsMs: readonly number[] = [],
): AppState {
	const layout = layoutOf(config, isEnabled);
	const agents: Record<string, AgentState> = {};
	for (const agent of layout) {
		agents[agent.name] = {
			...newAgent(agent.name),
			critical: agent.critical,
			phase: agent.phase ?? undefined,
			enabled: agent.enabled,
			maxAttempts: agent.maxAttempts,
		};
	}

	return {
		configFile: config.displayName,
		demo: config.isBundledDemo,
		agentOrder: layout.map(agent => agent.name),
		phaseNames: config.phases.map(phase => phase.name),
		agents,
		cycle: {
			number: 0,
			running: false,
			phase: undefined,
			phaseIndex: 0,
			phaseCount: config.phases.length,
			startedAt: undefined,
			endedAt: undefined,
			halted: false,
			haltReason: undefined,
			haltedBy: undefined,
			nextRunAt: undefined,
			paused: false,
			forced: false,
			recentDurationsMs: previousDurationsMs.slice(-recentCyclesCapacity),
			phases: [],
		},
		alerts: [],
	};
}
