import {readdirSync, readFileSync} from 'node:fs';

/*
What Linux's /proc says of a process, to tell whether a recorded process id still means the process
that was recorded: ids are reused, but a process's start time (in clock ticks since boot) and the
boot's id together name one process for good. Elsewhere these return undefined, and callers do
not act on what they cannot prove.
*/

let cachedBootId: string | undefined;

/** The id of this boot of the machine, or undefined where /proc does not say. */
export function bootId(): string | undefined {
	if (cachedBootId === undefined) {
		try {
			cachedBootId = readFileSync(
				'/proc/sys/kernel/random/boot_id',
				'utf8',
			).trim();
		} catch {
			return undefined;
		}
	}

	return cachedBootId;
}

export type ProcessStat = {
	readonly pid: number;
	/** One letter: R, S, D, Z (zombie), X (dead), … */
	readonly state: string;
	readonly parentPid: number;
	readonly groupId: number;
	readonly sessionId: number;
	/** Clock ticks after boot. */
	readonly startTicks: number;
	/** User + system CPU time so far, in clock ticks. */
	readonly cpuTicks: number;
};

/** A process's /proc/<pid>/stat, read; undefined if it is gone or cannot be read. */
export function processStat(pid: number): ProcessStat | undefined {
	let text: string;
	try {
		text = readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return undefined;
	}

	return parseStat(pid, text);
}

/** "pid (comm) state ppid pgrp session … starttime …": comm may hold spaces and ")", so split after the last ")". */
function parseStat(pid: number, text: string): ProcessStat | undefined {
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	// Fields after comm start at stat's field 3; starttime is field 22.
	const startTicks = Number(fields[19]);
	if (fields.length < 20 || !Number.isFinite(startTicks)) {
		return undefined;
	}

	return {
		pid,
		state: fields[0] ?? '?',
		parentPid: Number(fields[1]),
		groupId: Number(fields[2]),
		sessionId: Number(fields[3]),
		startTicks,
		cpuTicks: Number(fields[11]) + Number(fields[12]),
	};
}

/** Every process of a process group that is not a zombie; empty where /proc cannot be read. */
export function groupMembers(groupId: number): ProcessStat[] {
	return scanGroup(groupId, false) ?? [];
}

/**
Whether any process of the group is alive and not a zombie; true where /proc cannot tell. Stops at
the first one found: it is asked each time an agent exits.
*/
export function hasLiveGroupMember(groupId: number): boolean {
	const found = scanGroup(groupId, true);
	return found === undefined || found.length > 0;
}

/**
Every live process (not a zombie) in /proc, one at a time, so a caller may stop early; undefined if
/proc cannot be read.
*/
export function liveProcesses(): Iterable<ProcessStat> | undefined {
	let entries: string[];
	try {
		entries = readdirSync('/proc');
	} catch {
		return undefined;
	}

	return (function* () {
		for (const entry of entries) {
			if (!(entry[0]! >= '0' && entry[0]! <= '9')) {
				continue;
			}

			const stat = processStat(Number(entry));
			if (stat && stat.state !== 'Z' && stat.state !== 'X') {
				yield stat;
			}
		}
	})();
}

/** Whether a process runs (and is no zombie waiting to be reaped). */
export function isProcessRunning(pid: number): boolean {
	const state = processStat(pid)?.state;
	return state !== undefined && state !== 'Z' && state !== 'X';
}

/** The group's live members from /proc, the first only if asked; undefined if /proc cannot be read. */
function scanGroup(
	groupId: number,
	firstOnly: boolean,
): ProcessStat[] | undefined {
	const processes = liveProcesses();
	if (!processes) {
		return undefined;
	}

	const members: ProcessStat[] = [];
	for (const stat of processes) {
		if (stat.groupId === groupId) {
			members.push(stat);
			if (firstOnly) {
				break;
			}
		}
	}

	return members;
}
