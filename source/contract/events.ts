/*
The contract in one neutral place (../shared/contract.md §4–§7): the events, statuses, health
statuses and alert levels that the engine, runner, store, monitor and printers share. Every layer
may import it; it imports nothing. One piece past 300 lines because it is one list: every event
type, the contract's and the internal ones, in the one union each listener switches over.
*/

/** How a phase runs its agents. */
export type PhaseMode = 'sequential' | 'parallel';

/** How one attempt of an agent ended (contract §5). */
export type AttemptStatus = 'success' | 'failed' | 'timeout' | 'cancelled';

/**
How an agent ended in a cycle (contract §5). `not_due`: its `every`/`cron` schedule is not due, no
failure (health, executions and exit codes leave it out).
*/
export type AgentStatus =
	AttemptStatus | 'halted' | 'skipped' | 'disabled' | 'not_due';

export type AlertLevel = 'info' | 'warning' | 'critical';

/** An agent's health over its last runs (contract §7). */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** Where an agent is now, as a screen shows it: a cycle status once it ended, else what it does. */
export type AgentLiveStatus =
	AgentStatus | 'idle' | 'queued' | 'running' | 'retrying';

/*
The contract's events (§6), emitted once by the engine and read by every listener: the store, the
headless printers, and the monitoring half. `time` is ISO 8601. Field names are the contract's,
snake_case included, so that `--json` is a plain JSON.stringify.
*/

export type CycleStartEvent = {
	readonly type: 'cycle_start';
	readonly time: string;
	readonly cycle: number;
};

export type PhaseStartEvent = {
	readonly type: 'phase_start';
	readonly time: string;
	readonly cycle: number;
	readonly phase: string;
	readonly mode: PhaseMode;
	/** The phase's enabled agents, those that will run or be skipped. */
	readonly agents: readonly string[];
};

export type AgentStartEvent = {
	readonly type: 'agent_start';
	readonly time: string;
	readonly cycle: number;
	readonly agent: string;
	readonly attempt: number;
	/** The worker it runs on, for an agent with `runOn` (contract §10). */
	readonly worker?: string;
};

export type AgentProgressEvent = {
	readonly type: 'agent_progress';
	readonly time: string;
	readonly cycle: number;
	readonly agent: string;
	readonly percent: number | null;
	readonly message: string | null;
};

export type AgentRetryEvent = {
	readonly type: 'agent_retry';
	readonly time: string;
	readonly cycle: number;
	readonly agent: string;
	/** The attempt about to start. */
	readonly attempt: number;
	readonly delay_s: number;
	readonly error: string;
};

export type AgentEndEvent = {
	readonly type: 'agent_end';
	readonly time: string;
	readonly cycle: number;
	readonly agent: string;
	readonly status: Exclude<AgentStatus, 'disabled'>;
	/** From the first attempt's start to the end, retry delays included; 0 when skipped. */
	readonly duration_s: number;
	readonly attempts: number;
	readonly error: string | null;
	/** The worker its last attempt ran on, for an agent with `runOn`. */
	readonly worker?: string;
};

export type AlertEvent = {
	readonly type: 'alert';
	readonly time: string;
	readonly level: AlertLevel;
	readonly message: string;
	readonly agent?: string;
};

export type HaltEvent = {
	readonly type: 'halt';
	readonly time: string;
	readonly cycle: number;
	readonly agent: string;
	readonly reason: string;
};

export type CycleEndEvent = {
	readonly type: 'cycle_end';
	readonly time: string;
	readonly cycle: number;
	readonly duration_s: number;
	readonly halted: boolean;
	/** Every agent of the config, in config order. */
	readonly results: Readonly<Record<string, AgentStatus>>;
};

export type MetricsExportedEvent = {
	readonly type: 'metrics_exported';
	readonly time: string;
	readonly cycle: number;
	readonly path: string;
};

/** Why a run of the engine ended: the end of `--once`, a `stop`, a signal, or a fatal error. */
export type EngineStopReason = 'once' | 'stop' | 'signal' | 'error';

/** The last event of a run, so a reader of the stream knows it ended on purpose. */
export type EngineStopEvent = {
	readonly type: 'engine_stop';
	readonly time: string;
	readonly reason: EngineStopReason;
	/** The signal that stopped it ("SIGPIPE" for a closed stdout). */
	readonly signal?: string;
	/** What went wrong, when the reason is `error`. */
	readonly error?: string;
};

/** The events of contract §6, exactly: what `--json` prints. */
export type ContractEvent =
	| CycleStartEvent
	| PhaseStartEvent
	| AgentStartEvent
	| AgentProgressEvent
	| AgentRetryEvent
	| AgentEndEvent
	| AlertEvent
	| HaltEvent
	| CycleEndEvent
	| MetricsExportedEvent
	| EngineStopEvent;

/*
Events that only live inside the app: the store and the TUI need them, `--json` leaves them out
because the contract does not list them.
*/

/** New log lines of an agent, batched: at most a ring buffer's worth, with a count of the rest. */
export type AgentOutputEvent = {
	readonly type: 'agent_output';
	readonly time: string;
	readonly agent: string;
	readonly lines: readonly string[];
	/** Lines printed since the last batch that did not fit in it. */
	readonly dropped: number;
	/** The indexes in `lines` of those printed on stderr; absent when none were. */
	readonly stderr?: readonly number[];
};

/** One attempt ended (an agent's `agent_end` comes once, after its last attempt). */
export type AttemptEndEvent = {
	readonly type: 'attempt_end';
	readonly time: string;
	readonly cycle: number;
	readonly agent: string;
	readonly attempt: number;
	readonly status: AttemptStatus;
	readonly duration_s: number;
	readonly error: string | null;
	/** `::moondev::` lines that could not be read. */
	readonly malformed_lines: number;
	/** The worker it ran on, for an agent with `runOn`. */
	readonly worker?: string;
};

/** A `metric` protocol line. */
export type AgentMetricEvent = {
	readonly type: 'agent_metric';
	readonly time: string;
	readonly cycle: number;
	readonly agent: string;
	readonly name: string;
	readonly value: number;
};

/** An agent was enabled or disabled while running. */
export type AgentToggleEvent = {
	readonly type: 'agent_toggle';
	readonly time: string;
	readonly agent: string;
	readonly enabled: boolean;
	/**
	Whether it is kept across restarts. A critical agent's never is: turned off at run time it is
	off for one cycle only, and back on by itself after it.
	*/
	readonly persist: boolean;
};

/** The loop's schedule changed: paused or not, and when the next cycle starts (null: not planned). */
export type ScheduleEvent = {
	readonly type: 'schedule';
	readonly time: string;
	readonly paused: boolean;
	readonly next_run: string | null;
	/** A forced cycle is waiting for the running one to end. */
	readonly forced: boolean;
};

/**
An agent with a schedule is not due in this cycle: when it is next due. Emitted just before its
`agent_end` with status `not_due`, which carries only the contract's fields.
*/
export type AgentNotDueEvent = {
	readonly type: 'agent_not_due';
	readonly time: string;
	readonly cycle: number;
	readonly agent: string;
	/** ISO 8601; null when its cron expression never fires again. */
	readonly next_due: string | null;
};

/** What each running agent's process group uses, sampled at most once a second while agents run. */
export type AgentUsageEvent = {
	readonly type: 'agent_usage';
	readonly time: string;
	readonly usage: Readonly<
		Record<
			string,
			{
				/** Of one core, over the last second. */
				readonly cpu_percent: number;
				readonly memory_bytes: number;
			}
		>
	>;
};

/** An agent's health changed or is first known (the monitoring half computes it). */
export type AgentHealthEvent = {
	readonly type: 'agent_health';
	readonly time: string;
	readonly agent: string;
	readonly status: HealthStatus;
	/** Over the health window, in %. */
	readonly success_rate: number | null;
	/** Of its successful runs, in seconds: what an estimated progress bar is drawn against. */
	readonly avg_duration_s: number | null;
};

/** The monitoring half has recorded a cycle: files written, the dashboard's figures ready. */
export type CycleRecordedEvent = {
	readonly type: 'cycle_recorded';
	readonly time: string;
	readonly cycle: number;
};

/** An agent as a screen lays it out: what a reloaded config changes of it. */
export type AgentLayout = {
	readonly name: string;
	readonly critical: boolean;
	/** The phase it runs in; null when it is in none (it never runs). */
	readonly phase: string | null;
	readonly enabled: boolean;
	readonly maxAttempts: number;
};

/**
A reloaded config took effect, before the cycle that runs it: the agents (in config order) and the
phases as they are now. No command, env value or path: only what a screen shows.
*/
export type ConfigAppliedEvent = {
	readonly type: 'config_applied';
	readonly time: string;
	readonly agents: readonly AgentLayout[];
	readonly phases: readonly string[];
};

/** A worker as the engine sees it (contract §10). */
export type WorkerInfo = {
	readonly id: string;
	readonly host: string;
	readonly tags: readonly string[];
	readonly concurrency: number;
	/** Attempts it runs now. */
	readonly running: number;
	/** Stopping cleanly: it takes no new attempt. */
	readonly stopping: boolean;
};

/** The live workers changed (only with orchestrator.workers). */
export type WorkersEvent = {
	readonly type: 'workers';
	readonly time: string;
	readonly workers: readonly WorkerInfo[];
};

export type InternalEvent =
	| ConfigAppliedEvent
	| WorkersEvent
	| AgentHealthEvent
	| AgentNotDueEvent
	| AgentUsageEvent
	| AttemptEndEvent
	| CycleRecordedEvent
	| AgentOutputEvent
	| AgentMetricEvent
	| AgentToggleEvent
	| ScheduleEvent;

export type EngineEvent = ContractEvent | InternalEvent;

export type EventType = EngineEvent['type'];

const contractEventTypes: ReadonlySet<EventType> = new Set<
	ContractEvent['type']
>([
	'cycle_start',
	'phase_start',
	'agent_start',
	'agent_progress',
	'agent_retry',
	'agent_end',
	'alert',
	'halt',
	'cycle_end',
	'metrics_exported',
	'engine_stop',
]);

/** Whether an event is one of the contract's (§6), and so goes out in `--json`. */
export function isContractEvent(event: EngineEvent): event is ContractEvent {
	return contractEventTypes.has(event.type);
}

/** Listeners of the event stream: the store, the printers, the monitoring half. */
export type Emit = (event: EngineEvent) => void;
