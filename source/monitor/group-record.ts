import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import process from 'node:process';
import type {TrackedGroup} from '../runner/kill-group.js';
import {bootId} from '../runner/process-info.js';

/**
The agents' process groups an engine has running, and its cycle: written beside its lock each time
a group starts or ends, so that the engine that takes the lock over after a crash (SIGKILL, the OOM
killer) can end what this one left before it starts anything itself.
*/
export type GroupRecord = {
	readonly version: 1;
	/** The engine's pid. */
	readonly pid: number;
	/** This boot's id: after a reboot every recorded id may belong to anyone. */
	readonly bootId: string | undefined;
	/** The cycle that was running, if one was. */
	readonly cycle: number | undefined;
	readonly groups: ReadonlyArray<{
		/** The group's id: its leader's pid. */
		readonly pgid: number;
		readonly agent: string;
		/** The leader's start time, in clock ticks after boot. */
		readonly startTicks: number | undefined;
	}>;
};

export const groupsFileOf = (lockPath: string) => `${lockPath}.groups.json`;

export type GroupRecorder = {
	readonly setCycle: (cycle: number | undefined) => void;
	readonly update: (groups: ReadonlyMap<number, TrackedGroup>) => void;
	/** Every group is gone: the record goes too. */
	readonly remove: () => void;
};

/**
Records the groups in `<lock>.groups.json`. Each write goes to a temporary file renamed over the
record, so a crash mid-write leaves the previous record whole. No fsync: the record only matters
while this boot lasts, and a crash of the process leaves the page cache intact.
*/
export function createGroupRecorder(
	lockPath: string,
	onError: (error: unknown) => void,
): GroupRecorder {
	const file = groupsFileOf(lockPath);
	const temporary = `${file}.${process.pid}.tmp`;
	const boot = bootId();
	let cycle: number | undefined;
	let groups: GroupRecord['groups'] = [];
	let failed = false;
	const write = () => {
		const record: GroupRecord = {
			version: 1,
			pid: process.pid,
			bootId: boot,
			cycle,
			groups,
		};
		try {
			writeFileSync(temporary, JSON.stringify(record));
			renameSync(temporary, file);
			failed = false;
		} catch (error) {
			// Said once until it works again: the lock's own checks tell of a folder that is gone.
			if (!failed) {
				failed = true;
				onError(error);
			}
		}
	};

	return {
		setCycle(value) {
			cycle = value;
			write();
		},
		update(live) {
			groups = [...live].map(([pgid, group]) => ({
				pgid,
				agent: group.agent,
				startTicks: group.startTicks,
			}));
			write();
		},
		remove() {
			rmSync(file, {force: true});
		},
	};
}

/** The record a dead engine left beside its lock, if one can be read. */
export function readGroupRecord(lockPath: string): GroupRecord | undefined {
	try {
		const record = JSON.parse(
			readFileSync(groupsFileOf(lockPath), 'utf8'),
		) as Partial<GroupRecord>;
		return record.version === 1 && Array.isArray(record.groups)
			? (record as GroupRecord)
			: undefined;
	} catch {
		return undefined;
	}
}
