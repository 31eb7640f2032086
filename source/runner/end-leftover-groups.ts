import {setTimeout as delay} from 'node:timers/promises';
import {isGroupAlive, signalGroup} from './kill-group.js';
import {bootId, groupMembers, processStat} from './process-info.js';

export type LeftoverGroup = {
	readonly pgid: number;
	readonly agent: string;
	readonly startTicks: number | undefined;
};

export type LeftoverReport = {
	/** The groups that were still running and were ended. */
	readonly ended: readonly LeftoverGroup[];
	/** Recorded groups left alone: nothing proves they are still the dead engine's. */
	readonly unproven: readonly LeftoverGroup[];
};

/**
Ends the agents a dead engine left running (SIGTERM to each group, SIGKILL after the grace), so
that none of them runs beside the agents of the engine that takes over. It signals only groups
that are provably the dead engine's: recorded in this boot, and led by the process recorded (same
start time) — or, the leader gone, whose members all started after it and still share its session.
*/
export async function endLeftoverGroups(
	record: {
		readonly bootId: string | undefined;
		readonly groups: readonly LeftoverGroup[];
	},
	graceMs: number,
): Promise<LeftoverReport> {
	const sameBoot = record.bootId !== undefined && record.bootId === bootId();
	const ended: LeftoverGroup[] = [];
	const unproven: LeftoverGroup[] = [];
	for (const group of record.groups) {
		if (!sameBoot || group.startTicks === undefined) {
			unproven.push(group);
			continue;
		}

		const proof = provenOurs(group);
		if (proof === 'gone') {
			continue;
		}

		if (proof === 'ours') {
			ended.push(group);
		} else {
			unproven.push(group);
		}
	}

	for (const group of ended) {
		signalGroup(group.pgid, 'SIGTERM');
	}

	const deadline = Date.now() + graceMs;
	while (
		Date.now() < deadline &&
		ended.some(group => isGroupAlive(group.pgid))
	) {
		// eslint-disable-next-line no-await-in-loop -- polling the groups through their grace
		await delay(50);
	}

	for (const group of ended) {
		if (isGroupAlive(group.pgid)) {
			signalGroup(group.pgid, 'SIGKILL');
		}
	}

	// SIGKILL is not instant: wait (briefly) until they are really gone before anything new starts.
	const killDeadline = Date.now() + 2000;
	while (
		Date.now() < killDeadline &&
		ended.some(group => isGroupAlive(group.pgid))
	) {
		// eslint-disable-next-line no-await-in-loop -- a few polls at most
		await delay(20);
	}

	return {ended, unproven};
}

function provenOurs(group: LeftoverGroup): 'ours' | 'gone' | 'unproven' {
	const leader = processStat(group.pgid);
	if (leader && leader.state !== 'Z') {
		return leader.startTicks === group.startTicks &&
			leader.groupId === group.pgid
			? 'ours'
			: 'unproven';
	}

	// The leader has exited; a group id is never reused while any member of the group lives.
	const members = groupMembers(group.pgid);
	if (members.length === 0) {
		return 'gone';
	}

	return members.every(
		member =>
			member.startTicks >= group.startTicks! && member.sessionId === group.pgid,
	)
		? 'ours'
		: 'unproven';
}
