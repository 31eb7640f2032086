import {readFileSync} from 'node:fs';
import {liveProcesses} from './process-info.js';

/*
CPU and memory of each running agent's process group, from /proc: one scan of /proc a second for
all groups together, and no timer at all while no agent runs. CPU is the group's user + system
time over the last interval (100 % = one core), summed over its live members; memory is their
resident set. A member that ended between two samples takes its last interval's time with it:
the figure is a sample, not an account.
*/

/** Linux's USER_HZ: the unit of utime and stime in /proc/<pid>/stat on every mainstream arch. */
const ticksPerSecond = 100;

export type GroupUsage = {
	/** Of one core, over the last interval. */
	readonly cpuPercent: number;
	readonly memoryBytes: number;
	/** Live processes in the group. */
	readonly processes: number;
};

type Reading = {ticks: number; memoryBytes: number; processes: number};

/** One pass over /proc: for each of `groups`, its members' CPU ticks and resident memory. */
export function readGroups(groups: ReadonlySet<number>): Map<number, Reading> {
	const readings = new Map<number, Reading>();
	for (const stat of liveProcesses() ?? []) {
		if (!groups.has(stat.groupId)) {
			continue;
		}

		const reading = readings.get(stat.groupId) ?? {
			ticks: 0,
			memoryBytes: 0,
			processes: 0,
		};
		reading.ticks += stat.cpuTicks;
		reading.memoryBytes += residentBytes(stat.pid);
		reading.processes++;
		readings.set(stat.groupId, reading);
	}

	return readings;
}

/** VmRSS from /proc/<pid>/status, in bytes (kB there, whatever the page size); 0 if gone. */
function residentBytes(pid: number): number {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const match = /^VmRSS:\s+(\d+)\s+kB$/mv.exec(status);
		return match ? Number(match[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

export type UsageSampler = {
	/** The groups running now, by pgid, with their agent; sampling runs only while there are some. */
	readonly update: (
		groups: ReadonlyMap<number, {readonly agent: string}>,
	) => void;
	readonly stop: () => void;
};

/**
Samples the running groups every `intervalMs` and reports each agent's usage. Starts with the
first group and stops with the last, so an idle engine pays nothing.
*/
export function createUsageSampler(options: {
	readonly onSample: (usage: ReadonlyMap<string, GroupUsage>) => void;
	/** @default 1000 */
	readonly intervalMs?: number;
	readonly now?: () => number;
	readonly read?: typeof readGroups;
}): UsageSampler {
	const intervalMs = options.intervalMs ?? 1000;
	const now = options.now ?? Date.now;
	const read = options.read ?? readGroups;
	let groups: ReadonlyMap<number, {readonly agent: string}> = new Map();
	let timer: NodeJS.Timeout | undefined;
	// The last reading of each group, for the CPU over the interval.
	let previous = new Map<number, {ticks: number; at: number}>();

	const sample = () => {
		const at = now();
		const readings = read(new Set(groups.keys()));
		const usage = new Map<string, GroupUsage>();
		const next = new Map<number, {ticks: number; at: number}>();
		for (const [group, reading] of readings) {
			const agent = groups.get(group)?.agent;
			if (agent === undefined) {
				continue;
			}

			const before = previous.get(group);
			const seconds = before ? (at - before.at) / 1000 : 0;
			usage.set(agent, {
				cpuPercent:
					before && seconds > 0
						? Math.max(
								0,
								((reading.ticks - before.ticks) / ticksPerSecond / seconds) *
									100,
							)
						: 0,
				memoryBytes: reading.memoryBytes,
				processes: reading.processes,
			});
			next.set(group, {ticks: reading.ticks, at});
		}

		previous = next;
		if (usage.size > 0) {
			options.onSample(usage);
		}
	};

	return {
		update(running) {
			groups = running;
			if (groups.size > 0 && !timer) {
				timer = setInterval(sample, intervalMs);
				timer.unref();
			} else if (groups.size === 0 && timer) {
				clearInterval(timer);
				timer = undefined;
				previous = new Map();
			}
		},
		stop() {
			clearInterval(timer);
			timer = undefined;
		},
	};
}
