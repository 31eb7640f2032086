import type {
	AgentLiveStatus,
	HealthStatus,
	WorkerInfo,
} from '../contract/events.js';
import type {AppState} from '../store/state.js';

/** One agent in `status`: what its row on the screen says. */
export type AgentStatusLine = {
	readonly name: string;
	readonly critical: boolean;
	readonly enabled: boolean;
	readonly status: AgentLiveStatus;
	readonly attempt: number;
	readonly percent: number | null;
	readonly message: string | null;
	readonly health: HealthStatus;
	/** Over the health window, in %. */
	readonly success_rate: number | null;
	readonly last_duration_s: number | null;
	readonly error: string | null;
	/** While it runs: its process group's CPU (of one core) and resident memory. */
	readonly cpu_percent: number | null;
	readonly memory_bytes: number | null;
	/** When its `every`/`cron` schedule is next due, while it is `not_due`. */
	readonly next_due: string | null;
	/** For an agent with `runOn`: the worker its running or last attempt ran on. */
	readonly worker?: string;
};

/** `status --json`: one look at a running engine. Field names in the contract's snake_case. */
export type EngineStatus = {
	readonly pid: number;
	readonly version: string;
	readonly config: string;
	readonly metrics_folder: string;
	readonly cycle: {
		/** The running or last cycle; 0 before the first. */
		readonly number: number;
		readonly running: boolean;
		readonly phase: string | null;
		readonly paused: boolean;
		readonly halted: boolean;
		readonly halt_reason: string | null;
		readonly halted_by: string | null;
		readonly next_run: string | null;
		readonly last_duration_s: number | null;
	};
	/** Why no cycle may start now (a lost lock), if something holds the engine. */
	readonly held: readonly string[];
	readonly agents: readonly AgentStatusLine[];
	/** With orchestrator.workers: the live workers (contract §10). */
	readonly workers?: readonly WorkerInfo[];
};

/** The status of an engine from the state its screen would show. */
export function statusOf(
	state: AppState,
	engine: {
		readonly pid: number;
		readonly version: string;
		readonly metricsFolder: string;
		readonly held: readonly string[];
	},
): EngineStatus {
	const {cycle} = state;
	const lastDurationMs = cycle.recentDurationsMs.at(-1);
	return {
		pid: engine.pid,
		version: engine.version,
		config: state.configFile,
		metrics_folder: engine.metricsFolder,
		cycle: {
			number: cycle.number,
			running: cycle.running,
			phase: cycle.phase ?? null,
			paused: cycle.paused,
			halted: cycle.halted,
			halt_reason: cycle.haltReason ?? null,
			halted_by: cycle.haltedBy ?? null,
			next_run:
				cycle.nextRunAt === undefined
					? null
					: new Date(cycle.nextRunAt).toISOString(),
			last_duration_s:
				lastDurationMs === undefined ? null : lastDurationMs / 1000,
		},
		held: engine.held,
		agents: state.agentOrder.flatMap(name => {
			const agent = state.agents[name];
			return agent
				? [
						{
							name,
							critical: agent.critical,
							enabled: agent.enabled,
							status: agent.status,
							attempt: agent.attempt,
							percent: agent.percent ?? null,
							message: agent.message ?? null,
							health: agent.health.status,
							success_rate: agent.health.successRate ?? null,
							last_duration_s:
								agent.lastDurationMs === undefined
									? null
									: agent.lastDurationMs / 1000,
							error: agent.error ?? null,
							cpu_percent: agent.usage?.cpuPercent ?? null,
							memory_bytes: agent.usage?.memoryBytes ?? null,
							next_due:
								agent.status === 'not_due' && agent.nextDueAt !== undefined
									? new Date(agent.nextDueAt).toISOString()
									: null,
							...(agent.worker === undefined ? {} : {worker: agent.worker}),
						},
					]
				: [];
		}),
		...(state.workers === undefined ? {} : {workers: state.workers}),
	};
}
