import {existsSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {type AgentStatus, type HealthStatus} from '../contract/events.js';

/** One agent's run in the cycle just ended. */
export type CycleAgentEntry = {
	readonly status: AgentStatus;
	readonly phase: string | null;
	readonly duration_seconds: number;
	readonly attempts: number;
	readonly retries: number;
	readonly error: string | null;
	/** The highest CPU (of one core) and memory its process group was sampled at, if it was. */
	readonly peak_cpu_percent?: number;
	readonly peak_memory_bytes?: number;
	/** For an agent with `runOn`: the worker its last attempt ran on (contract §10). */
	readonly worker?: string;
};

export type AgentSummary = {
	readonly executions: number;
	readonly successes: number;
	readonly failures: number;
	readonly success_rate: number;
	readonly avg_execution_time: number;
	readonly total_retries: number;
	readonly consecutive_failures: number;
	readonly last_execution: string | null;
	readonly health_status: HealthStatus;
};

/** The metrics file of contract §7, exactly. */
export type CycleMetrics = {
	readonly timestamp: string;
	readonly total_cycles: number;
	readonly current_cycle: number;
	readonly cycle_start: string;
	readonly cycle_end: string;
	readonly cycle_duration_seconds: number;
	readonly halted: boolean;
	readonly halt_reason: string | null;
	readonly cycle: Readonly<Record<string, CycleAgentEntry>>;
	readonly agents: Readonly<Record<string, AgentSummary>>;
	readonly performance: {
		readonly total_executions: number;
		readonly total_successes: number;
		readonly total_failures: number;
		readonly overall_success_rate: number;
		readonly avg_cycle_time_minutes: number;
	};
	readonly custom_metrics: Readonly<Record<string, number>>;
	/** Per notify target (by its label, never its URL), over the run: present when there are targets. */
	readonly notifications?: Readonly<Record<string, NotificationCounts>>;
};

/** What the notifier did for one target, over the run. */
export type NotificationCounts = {
	readonly sent: number;
	/** Failed after their retries, refused, or left queued at the stop. */
	readonly undelivered: number;
	/** Repeats of an alert folded into one message with a count. */
	readonly folded: number;
	/** Held back by the cap per minute (said in a summary). */
	readonly held: number;
};

const metricsFilePattern = /^metrics_\d{8}_\d{6}(?:_\d+)?\.json$/v;

/**
`metrics_YYYYMMDD_HHMMSS.json` in local time, with `_2`, `_3` … when a file of that second exists
already (two cycles can end within one second).
*/
export function metricsFileName(folder: string, time: Date): string {
	const pad = (value: number) => String(value).padStart(2, '0');
	const stamp = `${time.getFullYear()}${pad(time.getMonth() + 1)}${pad(time.getDate())}_${pad(time.getHours())}${pad(time.getMinutes())}${pad(time.getSeconds())}`;
	let name = `metrics_${stamp}.json`;
	for (let suffix = 2; existsSync(path.join(folder, name)); suffix++) {
		name = `metrics_${stamp}_${suffix}.json`;
	}

	return name;
}

/** Deletes the oldest metrics files past `keep` (0 keeps all). Returns how many went. */
export function applyRetention(folder: string, keep: number): number {
	if (keep === 0) {
		return 0;
	}

	const files = readdirSync(folder)
		.filter(name => metricsFilePattern.test(name))
		.toSorted(compareMetricsNames);
	const excess = files.slice(0, Math.max(0, files.length - keep));
	for (const name of excess) {
		rmSync(path.join(folder, name), {force: true});
	}

	return excess.length;
}

/** Oldest first: by time stamp, then by suffix (`_2` after the plain name, `_10` after `_9`). */
function compareMetricsNames(a: string, b: string): number {
	const key = (name: string) => {
		const [, stamp = '', suffix = '1'] =
			/^metrics_(\d{8}_\d{6})(?:_(\d+))?\.json$/v.exec(name) ?? [];
		return {stamp, suffix: Number(suffix)};
	};

	const left = key(a);
	const right = key(b);
	return left.stamp === right.stamp
		? left.suffix - right.suffix
		: left.stamp < right.stamp
			? -1
			: 1;
}

/** Rounds for the file: two decimals for rates, three for seconds. */
export function round(value: number, decimals: number): number {
	const factor = 10 ** decimals;
	return Math.round(value * factor) / factor;
}
