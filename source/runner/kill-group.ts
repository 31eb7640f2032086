import process from 'node:process';
import {hasLiveGroupMember, processStat} from './process-info.js';

/*
Every agent attempt runs in a process group of its own (execa's `detached`), and execa neither
cleans up detached children nor kills descendants (execa 9), so killing is ours: the whole group,
SIGTERM first, SIGKILL after the grace period.
*/

/** A process group an agent's attempt started: its leader's pid is the group's id. */
export type TrackedGroup = {
	readonly agent: string;
	/** The leader's start time (clock ticks after boot), to recognise it after a crash. */
	readonly startTicks: number | undefined;
};

/** Process groups started and not yet known to be gone, for the last-resort kill on exit. */
const liveGroups = new Map<number, TrackedGroup>();

let groupsListener:
	((groups: ReadonlyMap<number, TrackedGroup>) => void) | undefined;

/**
Calls `listener` with every live group each time one starts or ends, so the engine can record them
where a successor finds them if it dies. One listener; undefined removes it.
*/
export function watchGroups(
	listener: ((groups: ReadonlyMap<number, TrackedGroup>) => void) | undefined,
): void {
	groupsListener = listener;
}

export function trackGroup(pid: number, agent: string): void {
	liveGroups.set(pid, {agent, startTicks: processStat(pid)?.startTicks});
	groupsListener?.(liveGroups);
}

export function untrackGroup(pid: number): void {
	if (liveGroups.delete(pid)) {
		groupsListener?.(liveGroups);
	}
}

/** Sends `signal` to every process of the group led by `pid`; false if none is left. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

/**
Whether any process of the group is still alive. A zombie does not count: where PID 1 does not
reap orphans (some containers), a dead grandchild would otherwise keep its group "alive" and every
kill would wait out its whole grace period.
*/
export function isGroupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}

	return hasLiveGroupMember(pid);
}

/**
SIGKILLs every group still tracked, synchronously: for `process.on('exit')`, when there is no
time left for a grace period.
*/
export function killAllGroupsNow(): void {
	for (const pid of liveGroups.keys()) {
		signalGroup(pid, 'SIGKILL');
	}

	liveGroups.clear();
	groupsListener?.(liveGroups);
}
