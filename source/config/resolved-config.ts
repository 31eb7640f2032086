import type {PhaseMode} from '../contract/events.js';
import type {ResolvedNotifyTarget} from './resolve-notify.js';
import type {AgentSchedule} from './schedule.js';
import type {WeekDay} from './schema.js';

/** An agent as the engine runs it: defaults applied, paths absolute, command split. */
export type ResolvedAgent = {
	readonly name: string;
	/** Argv; the first word is resolved ("node" is this Node, relative paths against the base folder). */
	readonly command: readonly string[];
	/** Enabled by the config file (before toggles and `--agents`). */
	readonly enabled: boolean;
	readonly critical: boolean;
	readonly retries: number;
	/** Seconds per attempt set on the agent itself; the phase's and the orchestrator's come after. */
	readonly timeoutSeconds: number | undefined;
	/** Variables from the env files and `env`, secret: only their names are ever shown. */
	readonly env: Readonly<Record<string, string>>;
	readonly cwd: string;
	readonly description: string | undefined;
	readonly dependsOn: readonly string[];
	readonly when: AgentWindow | undefined;
	/** `every` or `cron` (never on a critical agent): it runs only when due, else `not_due`. */
	readonly schedule: AgentSchedule | undefined;
	readonly requireHealthy: readonly string[];
	readonly onFailure: 'halt' | 'continue';
	readonly haltExitCode: number | undefined;
	/** A critical agent must say `pass` or `halt` before it exits 0. */
	readonly requireVerdict: boolean;
	/** `runOn`: the worker tag it runs on (contract §10); locally when absent. */
	readonly runOn?: string | undefined;
};

/** `orchestrator.workers`: where the engine and its workers meet. */
export type ResolvedWorkers = {
	/** `${NAME}` filled in; a secret, never shown. Empty when the command sends nothing (`logs`). */
	readonly redisUrl: string;
	readonly queue: string;
};

/** `when`: hours inclusive ("9-16" is 9:00 to 16:59), and week days, local time. */
export type AgentWindow = {
	readonly hours: {readonly from: number; readonly to: number} | undefined;
	readonly days: readonly WeekDay[] | undefined;
};

export type ResolvedPhase = {
	readonly name: string;
	readonly mode: PhaseMode;
	/** Every agent of the phase, enabled or not: what is enabled is decided when the phase starts. */
	readonly agents: readonly string[];
	readonly timeoutPerAgent: number | undefined;
};

export type ResolvedOrchestrator = {
	readonly maxRetries: number;
	readonly timeoutPerAgent: number;
	readonly backoffMultiplier: number;
	readonly backoffBaseSeconds: number;
	readonly maxWorkers: number;
	readonly killGraceSeconds: number;
	readonly sleepBetweenRunsMinutes: number;
	readonly enableMonitoring: boolean;
	readonly enableHealthChecks: boolean;
	/** Absolute. */
	readonly metricsExportDir: string;
	/** Absolute: `orchestrator.promFile`, or moondev.prom in the metrics folder. */
	readonly promFile: string;
	readonly metricsRetention: number;
	readonly healthWindow: number;
};

/** The config the engine runs: validated, with every default, path and override applied. */
export type ResolvedConfig = {
	/** The config file's absolute path. */
	readonly file: string;
	/** How to name the file in messages: relative to the current folder when inside it. */
	readonly displayName: string;
	readonly isBundledDemo: boolean;
	/** The folder relative paths resolve against. */
	readonly baseDir: string;
	/**
	The folder what is written resolves against: the base folder, or the current folder for the
	bundled demo. Agents get it as MOONDEV_HOME, for the files they write.
	*/
	readonly homeDir: string;
	readonly orchestrator: ResolvedOrchestrator;
	/** In config order. */
	readonly agents: readonly ResolvedAgent[];
	readonly phases: readonly ResolvedPhase[];
	readonly hasCustomPhases: boolean;
	/** Absolute paths of every env file read, for `validate`. */
	readonly envFiles: readonly string[];
	/** Where alerts are sent (contract §9); each URL a secret. */
	readonly notify: readonly ResolvedNotifyTarget[];
	/** `orchestrator.workers` (contract §10): agents with `runOn` run on workers. */
	readonly workers?: ResolvedWorkers | undefined;
	/** Things that are legal but likely a mistake, e.g. an enabled agent that is in no phase. */
	readonly warnings: readonly string[];
};
